/**
 * The `github` source: the open pull requests of one repository, through octokit. Each head of a
 * pull request not seen before becomes a revision of a series (mails.ts): its cover letter and one
 * patch mail per commit, with the base as `base-commit:`. The checkpoint is the heads seen per
 * pull request (JSON), so a poll returns only new heads, and polling twice with one checkpoint
 * returns the same mails. An unreachable API or a refusal is a SourceError (the source retries on
 * its schedule); nothing is lost.
 */
import { Octokit } from '@octokit/rest';
import { z } from 'zod';
import { errorMessage } from '../../../config/errors.ts';
import { SourceError } from '../errors.ts';
import type { PollResult, RawMail, Source, SourceContext } from '../types.ts';
import { pullRequestMails, type PullRequestCommit, type PullRequestHead } from './mails.ts';
import type { GithubSourceConfig } from './schema.ts';

/** Pull request number → the heads seen, oldest first (their index + 1 is the revision). */
const checkpointSchema = z.record(z.string(), z.array(z.string()));
type Seen = z.infer<typeof checkpointSchema>;

function readCheckpoint(text: string | null): Seen {
  if (!text) return {};
  try {
    const p = checkpointSchema.safeParse(JSON.parse(text));
    return p.success ? p.data : {};
  } catch {
    return {};
  }
}

function client(config: GithubSourceConfig, ctx: SourceContext): Octokit {
  const token = (ctx.env ?? process.env)[config.tokenEnv];
  return new Octokit({
    baseUrl: config.apiUrl.replace(/\/$/, ''),
    ...(token && { auth: token }),
    request: { fetch: ctx.fetch ?? fetch, ...(ctx.signal && { signal: ctx.signal }) },
    log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
  });
}

async function commitsOf(o: Octokit, config: GithubSourceConfig, number: number): Promise<PullRequestCommit[]> {
  const { owner, repo } = config;
  const list = await o.paginate(o.pulls.listCommits, { owner, repo, pull_number: number, per_page: 100 });
  const out: PullRequestCommit[] = [];
  for (const c of list) {
    const r = await o.repos.getCommit({ owner, repo, ref: c.sha, mediaType: { format: 'patch' } });
    // With the patch media type the body is the format-patch text, whatever the typings say.
    const patch: unknown = r.data;
    if (typeof patch !== 'string') throw new SourceError(`commit ${c.sha}: no patch text`, { sha: c.sha });
    out.push({ sha: c.sha, patch });
  }
  return out;
}

async function pollOnce(config: GithubSourceConfig, checkpoint: string | null, ctx: SourceContext) {
  const o = client(config, ctx);
  const seen = readCheckpoint(checkpoint);
  const { owner, repo } = config;
  const pulls = await o.paginate(o.pulls.list, { owner, repo, state: 'open', per_page: 100 });
  const messages: RawMail[] = [];
  for (const p of pulls.sort((a, b) => a.number - b.number)) {
    const heads = seen[String(p.number)] ?? [];
    if (heads.includes(p.head.sha)) continue;
    const pr: PullRequestHead = {
      owner,
      repo,
      number: p.number,
      title: p.title,
      body: p.body ?? '',
      author: p.user?.login ?? 'unknown',
      headSha: p.head.sha,
      baseSha: p.base.sha,
      revision: heads.length + 1,
      date: p.updated_at,
    };
    const mails = pullRequestMails(pr, await commitsOf(o, config, p.number));
    mails.forEach((m, i) => messages.push({ raw: Buffer.from(m), origin: `pull ${p.number} head ${p.head.sha} ${i}` }));
    seen[String(p.number)] = [...heads, p.head.sha];
  }
  return { messages, nextCheckpoint: JSON.stringify(seen), more: false };
}

export function createGithubSource(config: GithubSourceConfig): Source {
  return {
    name: config.name,
    kind: 'github',
    async poll(checkpoint, ctx): Promise<PollResult> {
      try {
        return await pollOnce(config, checkpoint, ctx);
      } catch (err) {
        if (err instanceof SourceError) throw err;
        throw new SourceError(`github ${config.owner}/${config.repo}: ${errorMessage(err)}`, {}, { cause: err });
      }
    },
  };
}
