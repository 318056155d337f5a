/**
 * One processing cycle: ingest, assemble, act on commands, enqueue new series, then work the
 * queue with `schedule.concurrency` workers until nothing is claimable. `daxbot run --once` is
 * exactly one cycle; `daxbot run` repeats the parts on their cron schedules.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { claimJob, listJobs, releaseLease } from '../store/jobs.ts';
import type { PipelineDeps } from '../deps.ts';
import { enqueueNewVersions, wakeCompletedWaiters } from './enqueue.ts';
import { executeJob, type JobExit } from '../jobs/executor.ts';

export interface CycleOptions {
  /** Only series versions whose newest mail (or explicit import) is at least this recent are enqueued. */
  since: Date | null;
  /** Skip polling the sources (the store was filled otherwise). */
  skipIngest?: boolean;
  /** Handles `#daxbot` commands found in mail; called after ingest. */
  processCommands?: () => Promise<void>;
}

export interface CycleReport {
  enqueued: number;
  woken: number;
  jobs: { id: number; exit: JobExit }[];
}

function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return typeof err === 'object' && err !== null && 'code' in err && err.code === 'ESRCH';
  }
}

/**
 * A lease held by a process of this host that no longer exists (killed with -9) is released
 * at once rather than after its expiry: the restarted bot resumes the job immediately. Leases
 * of other hosts (a fleet on PostgreSQL) still wait for their expiry.
 */
export async function reclaimDeadLeases(deps: PipelineDeps): Promise<number> {
  let n = 0;
  for (const j of await listJobs(deps.store.db, { active: true })) {
    if (!j.leaseOwner) continue;
    const [host, pid] = j.leaseOwner.split(':');
    if (host !== hostname() || !pid || Number(pid) === process.pid) continue;
    if (processGone(Number(pid))) {
      await releaseLease(deps.store.db, j.id, j.leaseOwner);
      deps.log.info({ job: j.id, owner: j.leaseOwner }, 'released the lease of a dead worker');
      n++;
    }
  }
  return n;
}

/**
 * One worker (slot `n`): claims the most urgent job, executes it, and claims again until nothing
 * is claimable. Each claim looks at the queue afresh, so a re-run queued while a job runs is
 * the next one taken, ahead of new series waiting longer.
 */
export async function workQueue(
  deps: PipelineDeps,
  n: number,
  results: { id: number; exit: JobExit }[] = [],
): Promise<{ id: number; exit: JobExit }[]> {
  const leaseMs = deps.leaseMs ?? 120_000;
  const owner = `${hostname()}:${process.pid}:${n}:${randomUUID().slice(0, 8)}`;
  // A job that goes back to waiting or retry is not claimable again in this cycle (not_before
  // is in the future), so this loop ends when the queue holds nothing ready.
  for (;;) {
    if (deps.signal?.aborted) return results;
    const job = await claimJob(deps.store.db, owner, deps.now(), leaseMs);
    if (!job) return results;
    const exit = await executeJob(deps, job, owner, deps.log);
    results.push({ id: job.id, exit });
    if (exit === 'stopped') return results;
  }
}

export async function processQueue(deps: PipelineDeps): Promise<{ id: number; exit: JobExit }[]> {
  const results: { id: number; exit: JobExit }[] = [];
  await reclaimDeadLeases(deps);
  const n = Math.max(1, deps.config.schedule.concurrency);
  await Promise.all(Array.from({ length: n }, (_, i) => workQueue(deps, i, results)));
  return results;
}

export async function enqueueReady(
  deps: PipelineDeps,
  since: Date | null,
): Promise<{ enqueued: number; woken: number }> {
  const ids = await enqueueNewVersions(deps.store, deps.config, { now: deps.now(), since });
  const woken = await wakeCompletedWaiters(deps.store, deps.now());
  if (ids.length > 0) deps.log.info({ jobs: ids }, `enqueued ${ids.length} new series version(s)`);
  return { enqueued: ids.length, woken };
}

export async function runCycle(deps: PipelineDeps, opts: CycleOptions): Promise<CycleReport> {
  if (!opts.skipIngest) await deps.ingest();
  await deps.refreshSeries();
  if (opts.processCommands) await opts.processCommands();
  const { enqueued, woken } = await enqueueReady(deps, opts.since);
  const jobs = await processQueue(deps);
  return { enqueued, woken, jobs };
}
