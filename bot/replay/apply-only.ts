/**
 * The apply-only replay of one series version: base discovery as a job runs it
 * (jobs/base-discovery.ts), then `git am` on the chosen base when discovery did not already apply
 * the series there (a base-commit, a maintainer's or a blob-matched base is found without trying
 * the series). No kernel is built. Whether the result would be mailed follows the configured
 * reply policy (report/reply-policy.ts): an apply failure is mailed only on a certain base.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { SeriesVersion } from '../../ingest/series/types.ts';
import { seriesFiles } from '../../runners/tree/series-blobs.ts';
import type { PipelineDeps } from '../deps.ts';
import { discoverBase } from '../jobs/base-discovery.ts';
import type { BaseChoice, BaseDiscovery, DiscoveryTree } from '../jobs/base-types.ts';
import { versionTrees } from '../jobs/context.ts';
import { shouldMail } from '../report/reply-policy.ts';
import { testedFields, versionFields, type ReplayRow } from './types.ts';

interface Applied {
  ok: boolean;
  failedPatch?: number;
  conflictFiles?: string[];
  ms: number;
}

/** `git am` of the series on the chosen base, in the tree's trial worktree. */
async function applyOn(deps: PipelineDeps, tree: DiscoveryTree, choice: BaseChoice, mbox: string): Promise<Applied> {
  const started = Date.now();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'daxbot-replay-split-'));
  try {
    const patches = await deps.bases.split(mbox, dir);
    const { paths } = seriesFiles(await readFile(mbox, 'utf8'));
    const r = await deps.bases.trial(tree, { base: choice.base, reason: choice.how, patches, paths });
    const a = r.attempt;
    return {
      ok: a.ok,
      ...(a.failedPatch !== undefined && { failedPatch: a.failedPatch }),
      ...(a.conflictFiles && { conflictFiles: a.conflictFiles }),
      ms: Date.now() - started,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The base tested: discovery's choice, else (mail.applyFailures: always) the fallback head. */
function testedChoice(deps: PipelineDeps, d: BaseDiscovery): BaseChoice | null {
  return d.choice ?? (deps.config.mail.applyFailures === 'always' ? d.fallback : null);
}

export async function replayApplyOnly(deps: PipelineDeps, version: SeriesVersion, workDir: string): Promise<ReplayRow> {
  const started = Date.now();
  const trees = await versionTrees(deps, version);
  const mbox = path.join(workDir, 'series.mbox');
  await writeFile(mbox, await deps.exportMbox(version.key));
  const discovery = await discoverBase(
    {
      mbox,
      baseCommit: version.baseCommit,
      prerequisitePatchIds: version.prerequisitePatchIds,
      prerequisiteMessageIds: version.prerequisiteMessageIds,
      trees,
      date: version.lastDate,
    },
    deps.bases,
  );
  const tested = testedChoice(deps, discovery);
  const tree = tested && trees.find((t) => t.name === tested.tree);
  // A trial on a branch head already applied the series; any other base has not been tried.
  const applied: Applied =
    tested && tree && !(discovery.choice && tested.method === 'tree-head')
      ? await applyOn(deps, tree, tested, mbox)
      : { ok: tested !== null, ms: 0 };
  const outcome = !tested ? 'no-base' : applied.ok ? 'applied' : 'apply-failed';
  const policy = { replyOnPass: deps.config.mail.replyOnPass, applyFailures: deps.config.mail.applyFailures };
  return {
    ...versionFields(version),
    ...testedFields(tested),
    outcome,
    applied: outcome === 'applied',
    ...(applied.failedPatch !== undefined && { failedPatch: applied.failedPatch }),
    ...(applied.conflictFiles && { conflictFiles: applied.conflictFiles }),
    wouldMail: outcome === 'apply-failed' && shouldMail('apply-failed', policy, tested?.certain ?? false),
    ms: Date.now() - started,
    discoveryMs: discovery.ms - discovery.amMs,
    amMs: discovery.amMs + applied.ms,
  };
}
