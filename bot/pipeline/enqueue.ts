/** Turns newly assembled series versions into jobs, and wakes waiting jobs whose series completed. */
import type { Config } from '../../config/schema.ts';
import { insertJob, listJobs, updateJob, versionsWithJobs, type JobOptions } from '../store/jobs.ts';
import type { Store } from '../store/store.ts';

export const PRIORITY_NEW = 0;
export const PRIORITY_RERUN = 10;

export interface EnqueueOptions {
  now: Date;
  /** Only versions whose newest mail is at least this recent (a backfilled archive is not tested). */
  since: Date | null;
}

export function defaultRunner(config: Config): string | null {
  return config.runners.find((r) => r.enabled)?.name ?? null;
}

export async function enqueueNewVersions(store: Store, config: Config, opts: EnqueueOptions): Promise<number[]> {
  const runner = defaultRunner(config);
  if (!runner) return [];
  const have = await versionsWithJobs(store.db);
  const rows = await store.db.selectFrom('series_versions').select(['version_key', 'project', 'last_date', 'first_date']).orderBy('id').execute();
  const nowIso = opts.now.toISOString();
  const ids: number[] = [];
  for (const r of rows) {
    if (have.has(r.version_key)) continue;
    // Kernel runners test kernel series; other projects (ndctl) need their own runner kind.
    if (r.project !== 'kernel') continue;
    if (opts.since) {
      const d = Date.parse(r.last_date ?? r.first_date ?? '');
      if (Number.isNaN(d) || d < opts.since.getTime()) continue;
    }
    ids.push(await insertJob(store.db, { versionKey: r.version_key, trigger: 'new-series', priority: PRIORITY_NEW, runner }, nowIso));
  }
  return ids;
}

/** A waiting job whose series has since become complete need not sit out its window. */
export async function wakeCompletedWaiters(store: Store, now: Date): Promise<number> {
  const waiting = (await listJobs(store.db, { active: true })).filter((j) => j.state === 'waiting');
  let woken = 0;
  for (const j of waiting) {
    const v = await store.db.selectFrom('series_versions').select('complete').where('version_key', '=', j.versionKey).executeTakeFirst();
    if (v?.complete === 1) {
      await updateJob(store.db, j.id, { state: 'queued', notBefore: null, progress: null }, now.toISOString());
      woken++;
    }
  }
  return woken;
}

export async function enqueueRerun(store: Store, config: Config, versionKey: string, options: JobOptions, now: Date, trigger = 'rerun'): Promise<number> {
  const runner = defaultRunner(config);
  if (!runner) throw new Error('no enabled runner is configured');
  return insertJob(store.db, { versionKey, trigger, priority: PRIORITY_RERUN, runner, options }, now.toISOString());
}
