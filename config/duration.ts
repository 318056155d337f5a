/**
 * Durations in the configuration: a number of milliseconds, or a string "<n>ms|s|m|h|d". Kept apart
 * from schema.ts so the runner modules' schemas can use it without importing the assembled schema
 * (which imports them).
 */
import { z } from 'zod';

const DURATION =
  'expected a duration: milliseconds as a whole number (1500), or a whole number and a unit ms, s, m, h or d ("500ms", "30s", "5m", "6h", "30d")';
export const duration = z.union(
  [z.number().int(DURATION).nonnegative(DURATION), z.string().regex(/^\d+(ms|s|m|h|d)$/, DURATION)],
  { errorMap: () => ({ message: DURATION }) },
);

/** "30s" → 30000. Numbers are milliseconds. */
export function toMs(value: number | string): number {
  if (typeof value === 'number') return value;
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(value);
  if (!m) throw new Error(`bad duration ${value}`);
  const n = Number(m[1]);
  const unit = m[2];
  const perUnit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  return n * (perUnit[unit ?? ''] ?? 1);
}
