/**
 * When will each queued job start? Pure: replays the queue in claim order over `concurrency`
 * slots, with each job lasting the mean of recent job durations (a default before any).
 */
export interface QueuedJob {
  id: number;
}
export interface RunningJob {
  id: number;
  startedAt: string | null;
}

export function meanDuration(durations: number[], fallbackMs: number): number {
  if (durations.length === 0) return fallbackMs;
  return durations.reduce((a, b) => a + b, 0) / durations.length;
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
