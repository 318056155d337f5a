/**
 * `daxbot run` without --once: each source is polled on its own cron schedule, and the
 * processing loop (assemble, commands, enqueue, work the queue) on `schedule.process`. A tick
 * that comes while the previous one of the same task still runs is skipped, not stacked.
 */
import { schedule, type ScheduledTask } from 'node-cron';
import type { SourceConfig } from '../../config/schema.ts';
import { ingestOne } from '../../ingest/run-ingest.ts';
import { errorMessage } from '../errors.ts';
import { processQueue, enqueueReady } from './cycle.ts';
import type { PipelineDeps } from './deps.ts';

export interface SchedulerOptions {
  since: Date | null;
  configDir: string;
  processCommands?: () => Promise<void>;
}

export interface RunningScheduler {
  /** Stops the timers and waits for the running ticks to finish their current step. */
  stop(): Promise<void>;
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
  const pollSource = (sc: SourceConfig) => async (): Promise<void> => {
    const r = await ingestOne(sc, deps.store, deps.log, { baseDir: opts.configDir });
    if (r.messages > 0) deps.log.info({ source: sc.name, messages: r.messages, stored: r.stored }, 'polled');
  };
  for (const sc of deps.config.sources) tasks.push(schedule(sc.schedule, guarded(`poll ${sc.name}`, deps, pollSource(sc), running)));
  const processTick = async (): Promise<void> => {
    await deps.refreshSeries();
    if (opts.processCommands) await opts.processCommands();
    await enqueueReady(deps, opts.since);
    await processQueue(deps);
  };
  const tick = guarded('process', deps, processTick, running);
  tasks.push(schedule(deps.config.schedule.process, tick));
  // Start with a tick rather than waiting up to a minute for the first one.
  tick();
  return {
    async stop() {
      for (const t of tasks) await t.stop();
      await Promise.all([...running]);
    },
  };
}
