/**
 * When will each queued job start? Pure: replays the queue in claim order (policy.ts) over
 * `concurrency` slots, with each job lasting the expected job length. `daxbot status` and the
 * dashboard's queue page both show these estimates.
 */
import { byClaimOrder, slotOf, type QueueFacts } from './policy.ts';

export interface QueuedJob {
  id: number;
}
export interface RunningJob {
  id: number;
  startedAt: string | null;
}

export function estimateStarts(
  queued: QueuedJob[],
  running: RunningJob[],
  opts: { now: Date; concurrency: number; jobMs: number },
): Map<number, Date> {
  const now = opts.now.getTime();
  const slots: number[] = running.map((r) => {
    const started = r.startedAt ? Date.parse(r.startedAt) : now;
    return Math.max(now, started + opts.jobMs);
  });
  while (slots.length < opts.concurrency) slots.push(now);
  slots.sort((a, b) => a - b);
  const out = new Map<number, Date>();
  for (const q of queued) {
    const free = slots.shift() ?? now;
    out.set(q.id, new Date(free));
    slots.push(free + opts.jobMs);
    slots.sort((a, b) => a - b);
  }
  return out;
}

export type EstimatedJob = QueueFacts & { id: number; priority: number; startedAt: string | null };

/** The start of every claimable job among `jobs` (any order, any state), by the queue's policy. */
export function queueStarts(
  jobs: readonly EstimatedJob[],
  opts: { now: Date; concurrency: number; jobMs: number },
): Map<number, Date> {
  const running = jobs.filter((j) => slotOf(j, opts.now) === 'running');
  const queued = jobs.filter((j) => slotOf(j, opts.now) === 'queued').sort(byClaimOrder);
  return estimateStarts(queued, running, opts);
}
