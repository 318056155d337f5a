/**
 * The GitHub output: daxbot's result for one runner as a completed check run on the head commit
 * of the pull request the series came from (the `github` source names it in the Message-IDs),
 * named `<context>-<runner>`, with the summary and a link to the run page. Versions that are not
 * pull requests of the configured repository are left alone. The head is looked up in the pull
 * request's commits, since the Message-ID carries only its first 12 hex digits.
 */
import { Octokit } from '@octokit/rest';
import { pullRequestOfMessageId } from '../../../ingest/sources/github/mails.ts';
import { requireToken } from '../http.ts';
import type { JobResult, OutputDeps, OutputEvent, OutputModule, PostContext } from '../types.ts';
import { configuredOutput, OutputError } from '../types.ts';
import type { GithubOutputConfig } from './schema.ts';

type Conclusion = 'success' | 'failure' | 'neutral' | 'cancelled';

/** How a runner's outcome reads on GitHub: the author's problem fails the check, ours is neutral. */
export function conclusionOf(r: JobResult): Conclusion {
  if (r.withdrawn) return 'cancelled';
  const o = r.outcome ?? 'infra';
  if (o === 'pass' || o === 'pre-existing-only') return 'success';
  if (o === 'regression' || o === 'build-failed' || o === 'apply-failed') return 'failure';
  return 'neutral';
}

function summaryOf(r: JobResult): string {
  const lines = [r.summary ?? r.record?.summary ?? r.outcome ?? 'no result'];
  if (r.record?.firstBad) lines.push('', `first bad commit: patch ${r.record.firstBad} of the pull request`);
  if (r.record?.newFailures.length) lines.push('', ...r.record.newFailures.map((f) => `- ${f}`));
  lines.push('', `Details: ${r.links.run ?? r.links.series}`);
  return lines.join('\n');
}

async function postCheckRun(config: GithubOutputConfig, deps: OutputDeps, e: OutputEvent, ctx: PostContext) {
  const r = e.result;
  const pr = r.version ? pullRequestOfMessageId(r.version.rootMessageId) : null;
  if (!pr || pr.owner !== config.owner || pr.repo !== config.repo) return 'not a pull request of this repository';
  const token = requireToken(deps.env, config.tokenEnv);
  const o = new Octokit({
    baseUrl: config.apiUrl.replace(/\/$/, ''),
    auth: token,
    request: { fetch: deps.fetch, signal: ctx.signal },
    log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
  });
  const { owner, repo } = config;
  try {
    const commits = await o.pulls.listCommits({ owner, repo, pull_number: pr.number, per_page: 250 });
    const head = commits.data.map((c) => c.sha).find((sha) => sha.startsWith(pr.headShort)) ?? null;
    if (!head) return `head ${pr.headShort} is no longer in pull request ${pr.number}: not posted`;
    const name = `${config.context}-${r.runner}`;
    const conclusion = conclusionOf(r);
    await o.checks.create({
      owner,
      repo,
      name,
      head_sha: head,
      status: 'completed',
      conclusion,
      details_url: r.links.run ?? r.links.series,
      output: { title: `${name}: ${r.outcome ?? 'no result'}`, summary: summaryOf(r) },
    });
    return `check run ${name} (${conclusion}) on ${head.slice(0, 12)}`;
  } catch (err) {
    const status = typeof err === 'object' && err && 'status' in err ? Number(err.status) : 0;
    const permanent = status >= 400 && status < 500 && status !== 408 && status !== 429;
    throw new OutputError(`github ${owner}/${repo}: ${String(err)}`, { permanent, status }, { cause: err });
  }
}

export const githubOutput: OutputModule<GithubOutputConfig> = {
  kind: 'github',
  create: (config, deps) => configuredOutput(config, ['result'], (e, ctx) => postCheckRun(config, deps, e, ctx)),
};
