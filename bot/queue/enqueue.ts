/**
 * Turns newly assembled series versions into jobs, and wakes waiting jobs whose series
 * completed. A version is dispatched at once to every enabled runner whose dispatch rule wants
 * it (dispatch-rule.ts; a runner without a rule takes every series): one job per runner, all in
 * one group, whose verdicts make one reply.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Config } from '../../config/schema.ts';
import { runnerProject } from '../../runners/registry.ts';
import { ConfigError } from '../errors.ts';
import { insertJobGroup } from '../store/job-groups.ts';
import { listJobs, updateJob, versionsWithJobs, type JobOptions } from '../store/jobs.ts';
import { seriesFacts } from '../store/series-facts.ts';
import { getSeriesVersion, isVersionComplete, seriesVersionData, versionsToDispatch } from '../store/series.ts';
import type { Store } from '../store/store.ts';
import type { Database } from '../store/tables.ts';
import { effectiveDispatch, runnersForSeries } from './dispatch-rule.ts';
import { PRIORITY_NEW, PRIORITY_RERUN } from './policy.ts';
import { explicitImportTimes, importTimeOf, insideWindow, versionMessageIds } from './since-window.ts';

export interface EnqueueOptions {
  now: Date;
  /**
   * Only versions whose newest mail is at least this recent (a backfilled archive is not
   * tested), or that a maintainer imported (`ingest --mbox`) since then: see since-window.ts.
   */
  since: Date | null;
}

export function defaultRunner(config: Config): string | null {
  return config.runners.find((r) => r.enabled)?.name ?? null;
}

/**
 * The runners one dispatch goes to, in configuration order: every enabled runner, or only
 * the one named (a re-run on one runner). Pure.
 */
export function dispatchRunners(config: Config, named?: string): string[] {
  if (named === undefined) return config.runners.filter((r) => r.enabled).map((r) => r.name);
  const rc = config.runners.find((r) => r.name === named);
  if (!rc)
    throw new ConfigError(`runner ${named} is not configured`, {
      runner: named,
      configured: config.runners.map((r) => r.name),
    });
  if (!rc.enabled) throw new ConfigError(`runner ${named} is disabled`, { runner: named });
  return [rc.name];
}

/**
 * The enabled runners of the version's project (`kernel`, `ndctl`) that a version goes to: those
 * whose dispatch rule wants it. The version's mail is read only when some runner has a rule.
 */
export async function dispatchTargets(
  db: Kysely<Database> | Transaction<Database>,
  config: Config,
  versionKey: string,
  project = 'kernel',
): Promise<string[]> {
  const enabled = config.runners.filter((r) => r.enabled && runnerProject(r) === project);
  const ruled = enabled.some((r) => {
    const rule = effectiveDispatch(r);
    return rule !== undefined && rule.paths.length + rule.lists.length > 0;
  });
  return runnersForSeries(enabled, ruled ? await seriesFacts(db, versionKey) : null);
}

/** Returns the new jobs' ids (one per enabled runner that wants it, for each new version). */
export async function enqueueNewVersions(store: Store, config: Config, opts: EnqueueOptions): Promise<number[]> {
  if (dispatchRunners(config).length === 0) return [];
  const have = await versionsWithJobs(store.db);
  const rows = await versionsToDispatch(store.db);
  const nowIso = opts.now.toISOString();
  const ids: number[] = [];
  // Read once per call, and only when some version is outside the window by its Date.
  let imports: Map<string, string> | null = null;
  for (const r of rows) {
    if (have.has(r.versionKey)) continue;
    // A project's series go to its own runners (runners/ndctl/ for ndctl) and need its trees.
    if (!config.trees.some((t) => t.project === r.project)) continue;
    if (!insideWindow(opts.since, r.lastDate, null)) {
      imports ??= await explicitImportTimes(store.db, new Set(config.sources.map((sc) => sc.name)));
      if (imports.size === 0) continue;
      const data = await seriesVersionData(store.db, r.versionKey);
      if (!insideWindow(opts.since, r.lastDate, importTimeOf(versionMessageIds(data ?? ''), imports))) continue;
    }
    const runners = await dispatchTargets(store.db, config, r.versionKey, r.project);
    if (runners.length === 0) continue;
    ids.push(
      ...(await insertJobGroup(
        store.db,
        runners.map((runner) => ({ versionKey: r.versionKey, trigger: 'new-series', priority: PRIORITY_NEW, runner })),
        nowIso,
      )),
    );
  }
  return ids;
}

/** A waiting job whose series has since become complete need not sit out its window. */
export async function wakeCompletedWaiters(store: Store, now: Date): Promise<number> {
  // Not one a worker holds: the intake now runs while workers do, and the job's own step wins.
  const iso = now.toISOString();
  const waiting = (await listJobs(store.db, { active: true })).filter(
    (j) => j.state === 'waiting' && (j.leaseExpiresAt === null || j.leaseExpiresAt < iso),
  );
  let woken = 0;
  for (const j of waiting) {
    if (await isVersionComplete(store.db, j.versionKey)) {
      await updateJob(store.db, j.id, { state: 'queued', notBefore: null, progress: null }, now.toISOString());
      woken++;
    }
  }
  return woken;
}

/** A re-run on the runners that want the series (or on `runner` alone); returns the group's first job id. */
export async function enqueueRerun(
  store: Store,
  config: Config,
  versionKey: string,
  options: JobOptions,
  now: Date,
  trigger = 'rerun',
  runner?: string,
): Promise<number> {
  const ids = await enqueueRerunGroup(store, config, versionKey, options, now, {
    trigger,
    ...(runner !== undefined && { runner }),
  });
  const first = ids[0];
  if (first === undefined) throw new ConfigError('no enabled runner is configured');
  return first;
}

/** A re-run on the runners that want the series (or on `runner` alone); returns every new job id. */
export async function enqueueRerunGroup(
  store: Store,
  config: Config,
  versionKey: string,
  options: JobOptions,
  now: Date,
  o: { trigger?: string; runner?: string } = {},
): Promise<number[]> {
  return insertRerunGroup(store.db, config, versionKey, options, now, o);
}

/**
 * enqueueRerunGroup on a given connection: inside a transaction the jobs commit (or vanish) with
 * whatever else it writes, which is how a mail command's re-run is queued exactly once.
 */
export async function insertRerunGroup(
  db: Kysely<Database> | Transaction<Database>,
  config: Config,
  versionKey: string,
  options: JobOptions,
  now: Date,
  o: { trigger?: string; runner?: string } = {},
): Promise<number[]> {
  const all = dispatchRunners(config, o.runner);
  if (all.length === 0) throw new ConfigError('no enabled runner is configured');
  // A named runner is what was asked for; otherwise the dispatch rules choose, and a series no
  // rule wants still runs everywhere: a maintainer asked for it.
  const project = (await getSeriesVersion(db, versionKey))?.project ?? 'kernel';
  const wanted = o.runner === undefined ? await dispatchTargets(db, config, versionKey, project) : all;
  const own = all.filter((name) => config.runners.some((r) => r.name === name && runnerProject(r) === project));
  const runners = wanted.length > 0 ? wanted : own.length > 0 ? own : all;
  const trigger = o.trigger ?? 'rerun';
  return insertJobGroup(
    db,
    runners.map((runner) => ({ versionKey, trigger, priority: PRIORITY_RERUN, runner, options })),
    now.toISOString(),
  );
}
