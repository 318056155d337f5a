/**
 * `daxbot run` without --once: each source is polled on its own cron schedule, and the
 * processing loop runs on `schedule.process` as two independent tasks:
 * - the intake (assemble series, act on `#daxbot` command mail, enqueue new versions): short,
 *   and never held up by the queue, so a maintainer's re-run is queued within one tick even
 *   while every worker is in the middle of a long build;
 * - the workers (`schedule.concurrency` of them): each claims the most urgent job, works it and
 *   claims again until nothing is claimable. A claim looks at the queue afresh, so the re-run
 *   (higher priority) is the next job taken, ahead of new series queued before it.
 * Before, one task did both, and its tick was skipped while the queue was busy: a command mail
 * waited until the whole queue had drained. A tick that comes while the previous one of the same
 * task still runs is skipped, not stacked; a worker slot that is busy is simply not refilled.
 */
import { schedule, type ScheduledTask } from 'node-cron';
import type { SourceConfig } from '../../config/schema.ts';
import { ingestOne } from '../intake/run-ingest.ts';
import { errorMessage } from '../errors.ts';
import { enqueueReady, reclaimDeadLeases, workQueue } from './cycle.ts';
import type { PipelineDeps } from '../deps.ts';

export interface SchedulerOptions {
  since: Date | null;
  configDir: string;
  processCommands?: () => Promise<void>;
}

export interface RunningScheduler {
  /** Stops the timers and waits for the running ticks to finish their current step. */
  stop(): Promise<void>;
}

/** The processing loop without its timers: the scheduler ticks it, tests drive it directly. */
export interface PipelineLoop {
  /** Assembles series, handles command mail, enqueues new versions, then fills free worker slots. */
  intake(): Promise<void>;
  /** Starts a worker in every free slot; a busy slot keeps its worker. */
  kick(): void;
  /** Resolves when no worker is running. */
  idle(): Promise<void>;
}

export function createPipelineLoop(
  deps: PipelineDeps,
  opts: Pick<SchedulerOptions, 'since' | 'processCommands'>,
): PipelineLoop {
  const workers = new Set<Promise<void>>();
  let slot = 0;
  const kick = (): void => {
    if (deps.signal?.aborted) return;
    const n = Math.max(1, deps.config.schedule.concurrency);
    while (workers.size < n) {
      const p: Promise<void> = workQueue(deps, slot++)
        .then(() => undefined)
        .catch((err: unknown) => deps.log.error({ task: 'worker', err: errorMessage(err) }, 'worker failed'))
        .finally(() => workers.delete(p));
      workers.add(p);
    }
  };
  return {
    async intake() {
      try {
        await deps.refreshSeries();
        if (opts.processCommands) await opts.processCommands();
        await enqueueReady(deps, opts.since);
      } finally {
        // New jobs start at once in a free slot instead of at the next tick.
        kick();
      }
    },
    kick,
    async idle() {
      while (workers.size > 0) await Promise.all([...workers]);
    },
  };
}

function guarded(name: string, deps: PipelineDeps, fn: () => Promise<void>, running: Set<Promise<void>>): () => void {
  let busy = false;
  return () => {
    if (busy || deps.signal?.aborted) return;
    busy = true;
    const p = fn()
      .catch((err: unknown) => deps.log.error({ task: name, err: errorMessage(err) }, `${name} failed`))
      .finally(() => {
        busy = false;
        running.delete(p);
      });
    running.add(p);
  };
}

export function startScheduler(deps: PipelineDeps, opts: SchedulerOptions): RunningScheduler {
  const running = new Set<Promise<void>>();
  const tasks: ScheduledTask[] = [];
  const loop = createPipelineLoop(deps, opts);
  const intake = guarded('intake', deps, () => loop.intake(), running);
  const pollSource = (sc: SourceConfig) => async (): Promise<void> => {
    const r = await ingestOne(sc, deps.store, deps.log, { baseDir: opts.configDir });
    if (r.messages > 0) deps.log.info({ source: sc.name, messages: r.messages, stored: r.stored }, 'polled');
    // New mail (a command among it, perhaps) need not wait for the next processing tick.
    if (r.stored > 0) intake();
  };
  for (const sc of deps.config.sources)
    tasks.push(schedule(sc.schedule, guarded(`poll ${sc.name}`, deps, pollSource(sc), running)));
  // Leases of workers killed with -9 are released, then the free slots get workers again
  // (a job held back by not_before becomes claimable).
  const work = guarded(
    'work',
    deps,
    async () => {
      await reclaimDeadLeases(deps);
      loop.kick();
    },
    running,
  );
  tasks.push(schedule(deps.config.schedule.process, intake));
  tasks.push(schedule(deps.config.schedule.process, work));
  // Start with the intake rather than waiting up to a minute: it fills the worker slots when it
  // is done, so commands that came in while the bot was down are queued before anything is claimed.
  const started = reclaimDeadLeases(deps)
    .catch((err: unknown) => deps.log.error({ err: errorMessage(err) }, 'releasing dead leases failed'))
    .finally(intake);
  return {
    async stop() {
      for (const t of tasks) await t.stop();
      await started;
      await Promise.all([...running]);
      await loop.idle();
    },
  };
}
