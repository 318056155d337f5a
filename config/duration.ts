/**
 * Durations in the configuration: a number of milliseconds, or a string "<n>ms|s|m|h". Kept apart
 * from schema.ts so the runner modules' schemas can use it without importing the assembled schema
 * (which imports them).
 */
import { z } from 'zod';

const DURATION =
  'expected a duration: milliseconds as a whole number (1500), or a whole number and a unit ms, s, m or h ("500ms", "30s", "5m", "6h")';
export const duration = z.union(
  [z.number().int(DURATION).nonnegative(DURATION), z.string().regex(/^\d+(ms|s|m|h)$/, DURATION)],
  { errorMap: () => ({ message: DURATION }) },
);

/** "30s" → 30000. Numbers are milliseconds. */
export function toMs(value: number | string): number {
  if (typeof value === 'number') return value;
  const m = /^(\d+)(ms|s|m|h)$/.exec(value);
  if (!m) throw new Error(`bad duration ${value}`);
  const n = Number(m[1]);
  const unit = m[2];
  return unit === 'ms' ? n : unit === 's' ? n * 1000 : unit === 'm' ? n * 60_000 : n * 3_600_000;
}
