/**
 * What a job works on, read once when it is claimed: its series version, the tree it is routed
 * to (choose-tree.ts), the base it is applied to, the runner's suites and the baseline cache key.
 * The base is, in order: a base a maintainer named (refused earlier when the tree lacks it), the
 * series' base-commit trailer when the tree has it, the tree's configured branch; every attempt
 * passed over stays in the reason the reply prints.
 */
import path from 'node:path';
import type { RunnerConfig } from '../../config/schema.ts';
import type { SeriesVersion } from '../../ingest/series/types.ts';
import { runnerProfile } from '../../runners/registry.ts';
import type { PipelineDeps } from '../deps.ts';
import { InfraError, NotFoundError } from '../errors.ts';
import type { JobRow } from '../store/jobs.ts';
import type { BaselineKey } from '../store/runs.ts';
import { getSeriesVersion } from '../store/series.ts';
import { threadMail } from '../store/thread-mail.ts';
import { runnerConfigHash } from '../pipeline/runner-digest.ts';
import { chooseTree, type TreeChoice } from './choose-tree.ts';

export interface JobContext {
  version: SeriesVersion;
  runnerConfig: RunnerConfig;
  treeName: string;
  treePath: string;
  base: string;
  baseReason: string;
  suites: string[];
  baselineKey: BaselineKey;
  workDir: string;
}

/** The tree every version goes to when no tree is configured at all. */
export const FALLBACK_TREE = 'linux-6.1';

export async function loadVersion(deps: PipelineDeps, versionKey: string): Promise<SeriesVersion> {
  const version = await getSeriesVersion(deps.store.db, versionKey);
  if (!version) throw new NotFoundError(`series version ${versionKey} is not in the store`, { versionKey });
  return version;
}

/** The tree a version is tested on, by its root mail's subject prefix and lists (choose-tree.ts). */
export async function routeVersion(deps: PipelineDeps, version: SeriesVersion): Promise<TreeChoice> {
  const root = await threadMail(deps.store.db, version.rootMessageId);
  return chooseTree(
    deps.config.trees,
    root && {
      listId: root.listId,
      recipients: [...root.to, ...root.cc].map((a) => a.address),
      prefixes: root.prefixes,
    },
  );
}

/** The name of the tree a version is routed to. */
export async function routedTreeName(deps: PipelineDeps, version: SeriesVersion): Promise<string> {
  return (await routeVersion(deps, version)).tree?.name ?? FALLBACK_TREE;
}

interface BaseChoice {
  base: string;
  reason: string;
}

/** The base commit, in the order of the header, with every attempt passed over in the reason. */
async function chooseBase(
  deps: PipelineDeps,
  job: JobRow,
  version: SeriesVersion,
  tree: { name: string; path: string; branch: string; route: string },
): Promise<BaseChoice> {
  const attempts: string[] = [];
  let choice: BaseChoice | null = null;
  if (job.options.base) {
    const base = await deps.resolveCommit(tree.path, job.options.base);
    if (base)
      choice = { base, reason: `base ${job.options.base} requested by ${job.options.requestedBy ?? 'a maintainer'}` };
    else attempts.push(`requested base ${job.options.base} not in ${tree.name}`);
  }
  if (!choice && version.baseCommit) {
    const base = await deps.resolveCommit(tree.path, version.baseCommit);
    if (base) choice = { base, reason: 'base-commit trailer' };
    else attempts.push(`base-commit ${version.baseCommit.slice(0, 12)} not in ${tree.name}`);
  }
  if (!choice) {
    const base = await deps.resolveCommit(tree.path, tree.branch);
    if (!base)
      throw new InfraError(`tree ${tree.path} has no commit for ${tree.branch}`, {
        treePath: tree.path,
        tree: tree.name,
      });
    choice = { base, reason: `configured branch ${tree.branch} of ${tree.name} (${tree.route})` };
  }
  return attempts.length > 0 ? { ...choice, reason: `${choice.reason}; ${attempts.join('; ')}` } : choice;
}

export async function jobContext(deps: PipelineDeps, job: JobRow): Promise<JobContext> {
  const version = await loadVersion(deps, job.versionKey);
  const runnerConfig = deps.config.runners.find((r) => r.name === job.runner);
  if (!runnerConfig) throw new NotFoundError(`runner ${job.runner} is not configured`, { runner: job.runner });
  const route = await routeVersion(deps, version);
  const treeName = route.tree?.name ?? FALLBACK_TREE;
  const treePath = deps.treePath(treeName);
  const branch = route.tree?.branch ?? 'HEAD';
  const { base, reason } = await chooseBase(deps, job, version, {
    name: treeName,
    path: treePath,
    branch,
    route: route.reason,
  });
  // The runner's effective suites: the simulator's defaults are not the schema's ("dax").
  const suites = job.options.suites ?? runnerProfile(runnerConfig).suites;
  return {
    version,
    runnerConfig,
    treeName,
    treePath,
    base,
    baseReason: reason,
    suites,
    baselineKey: { runner: runnerConfig.name, treeCommit: base, configHash: runnerConfigHash(runnerConfig), suites },
    workDir: path.join(deps.workDir, 'jobs', String(job.id)),
  };
}
