/** Delay before retrying a job after an infrastructure failure: 1, 2, 4 ... minutes, capped at an hour. */
export function infraBackoffMs(attempts: number, baseMs = 60_000, capMs = 3_600_000): number {
  return Math.min(capMs, baseMs * 2 ** Math.max(0, attempts - 1));
}
