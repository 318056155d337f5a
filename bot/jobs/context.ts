/**
 * What a job works on: its series version, the configured trees in routing order (the first is
 * the tree it is routed to, choose-tree.ts), the runner's suites, and once base discovery has run
 * (base-discovery.ts; the plan asks for it before the first run) the tree and base it is tested
 * on, how they were found, whether that is certain, and the baseline cache key. The discovery is
 * kept on the job (`jobs.base`) and shared by the siblings of a multi-runner group, so a restart
 * or a second runner does not look again.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { RunnerConfig, TreeConfig } from '../../config/schema.ts';
import type { SeriesVersion } from '../../ingest/series/types.ts';
import { runnerConfigHash, runnerProfile } from '../../runners/registry.ts';
import type { PipelineDeps } from '../deps.ts';
import { NotFoundError } from '../errors.ts';
import { groupBaseRecord, updateJob, type JobRow } from '../store/jobs.ts';
import type { BaselineKey } from '../store/runs.ts';
import { getSeriesVersion } from '../store/series.ts';
import { threadMail } from '../store/thread-mail.ts';
import { discoverBase } from './base-discovery.ts';
import { parseBaseRecord } from './base-record.ts';
import { discoveryTrees } from './base-io.ts';
import { passedOver } from './base-notes.ts';
import type { DiscoveryTree, JobBaseRecord } from './base-types.ts';
import { rankTrees, type TreeChoice } from './choose-tree.ts';

export interface JobContext {
  version: SeriesVersion;
  runnerConfig: RunnerConfig;
  suites: string[];
  workDir: string;
  /** The configured trees in routing order. */
  trees: DiscoveryTree[];
  /** Base discovery's record; null until it ran. */
  record: JobBaseRecord | null;
  /** The tree and base tested: the routed tree and '' until `record` names them. */
  treeName: string;
  treePath: string;
  base: string;
  /** How the base was found, for the reply: "base-commit trailer", "applied to the head of ...". */
  baseReason: string;
  /** Named by a maintainer, a base-commit found, or blob-matched (mail.applyFailures: certain). */
  certain: boolean;
  /** The attempts passed over before the base, one line each. */
  baseAttempts: string[];
  baselineKey: BaselineKey;
}

/** The configured trees of a project (`kernel` for every tree that names none). */
export function projectTrees(trees: TreeConfig[], project: string): TreeConfig[] {
  return trees.filter((t) => t.project === project);
}

/** The tree every version goes to when no tree is configured at all. */
export const FALLBACK_TREE = 'linux-6.1';

export async function loadVersion(deps: PipelineDeps, versionKey: string): Promise<SeriesVersion> {
  const version = await getSeriesVersion(deps.store.db, versionKey);
  if (!version) throw new NotFoundError(`series version ${versionKey} is not in the store`, { versionKey });
  return version;
}

async function rankedTrees(deps: PipelineDeps, version: SeriesVersion) {
  const root = await threadMail(deps.store.db, version.rootMessageId);
  const facts = root && {
    listId: root.listId,
    recipients: [...root.to, ...root.cc].map((a) => a.address),
    prefixes: root.prefixes,
  };
  // A project's series go to that project's trees only (ndctl series to ndctl trees).
  return rankTrees(projectTrees(deps.config.trees, version.project), facts);
}

/** The tree a version is routed to, by its root mail's subject prefix and lists (choose-tree.ts). */
export async function routeVersion(deps: PipelineDeps, version: SeriesVersion): Promise<TreeChoice> {
  const first = (await rankedTrees(deps, version))[0];
  return first ?? { tree: null, reason: 'no tree configured' };
}

/** The name of the tree a version is routed to (the first tree base discovery tries). */
export async function routedTreeName(deps: PipelineDeps, version: SeriesVersion): Promise<string> {
  return (await routeVersion(deps, version)).tree?.name ?? FALLBACK_TREE;
}

/** The context with the record's tree and base filled in. */
function withRecord(deps: PipelineDeps, ctx: JobContext, record: JobBaseRecord | null): JobContext {
  const tested = record?.tested;
  const treeName = tested?.tree ?? ctx.trees[0]?.name ?? FALLBACK_TREE;
  const base = tested?.base ?? '';
  return {
    ...ctx,
    record,
    treeName,
    treePath: deps.treePath(treeName),
    base,
    baseReason: tested?.how ?? '',
    certain: tested?.certain ?? false,
    baseAttempts: record && tested ? passedOver(record.discovery).map((a) => a.note) : [],
    baselineKey: { ...ctx.baselineKey, treeCommit: base },
  };
}

/** The configured trees in routing order for a version, as base discovery tries them. */
export async function versionTrees(deps: PipelineDeps, version: SeriesVersion): Promise<DiscoveryTree[]> {
  const ranked = await rankedTrees(deps, version);
  if (ranked.length > 0) return discoveryTrees(ranked, deps.treePath);
  const fallback = { name: FALLBACK_TREE, repo: deps.treePath(FALLBACK_TREE), branches: ['HEAD'] };
  return [{ ...fallback, route: 'no tree configured', url: null }];
}

export async function jobContext(deps: PipelineDeps, job: JobRow): Promise<JobContext> {
  const version = await loadVersion(deps, job.versionKey);
  const runnerConfig = deps.config.runners.find((r) => r.name === job.runner);
  if (!runnerConfig) throw new NotFoundError(`runner ${job.runner} is not configured`, { runner: job.runner });
  const trees = await versionTrees(deps, version);
  // The runner's effective suites: the simulator's defaults are not the schema's ("dax").
  const suites = job.options.suites ?? runnerProfile(runnerConfig).suites;
  const bare: JobContext = {
    version,
    runnerConfig,
    suites,
    workDir: path.join(deps.workDir, 'jobs', String(job.id)),
    trees,
    record: null,
    treeName: '',
    treePath: '',
    base: '',
    baseReason: '',
    certain: false,
    baseAttempts: [],
    baselineKey: { runner: runnerConfig.name, treeCommit: '', configHash: runnerConfigHash(runnerConfig), suites },
  };
  return withRecord(deps, bare, parseBaseRecord(job.base));
}

/** The series' am-ready mbox in the job's folder (what the runner and base discovery apply). */
export async function seriesMbox(deps: PipelineDeps, job: JobRow, ctx: JobContext): Promise<string> {
  const file = path.join(ctx.workDir, 'series.mbox');
  await mkdir(ctx.workDir, { recursive: true });
  await writeFile(file, await deps.exportMbox(job.versionKey));
  return file;
}

/**
 * Looks for the base (or takes a group sibling's finding), records it on the job, and returns
 * the context with it. Under `mail.applyFailures: always` a series with no base is tested on the
 * routed tree's head, where its apply failure is reported.
 */
export async function findJobBase(deps: PipelineDeps, job: JobRow, ctx: JobContext, log: Logger): Promise<JobContext> {
  const sibling = parseBaseRecord(await groupBaseRecord(deps.store.db, job.groupId, job.id));
  let record = sibling;
  if (!record) {
    const v = ctx.version;
    const discovery = await discoverBase(
      {
        mbox: await seriesMbox(deps, job, ctx),
        baseCommit: v.baseCommit,
        prerequisitePatchIds: v.prerequisitePatchIds,
        prerequisiteMessageIds: v.prerequisiteMessageIds,
        trees: ctx.trees,
        date: v.lastDate,
        ...(job.options.base && {
          requested: { rev: job.options.base, by: job.options.requestedBy ?? 'a maintainer' },
        }),
      },
      deps.bases,
    );
    const always = deps.config.mail.applyFailures === 'always';
    record = { discovery, tested: discovery.choice ?? (always ? discovery.fallback : null) };
  }
  const nowIso = deps.now().toISOString();
  const how = record.tested ? `${record.tested.tree}: ${record.tested.how}` : 'no base';
  await updateJob(deps.store.db, job.id, { base: JSON.stringify(record), progress: `base: ${how}` }, nowIso);
  log.info(
    { tree: record.tested?.tree, base: record.tested?.base, ms: record.discovery.ms, shared: sibling !== null },
    `base: ${how}`,
  );
  return withRecord(deps, ctx, record);
}
