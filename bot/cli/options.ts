/**
 * Parsers for option values. A malformed value is a usage error (exit 2): commander's
 * InvalidArgumentError when parsed by commander, UsageError when parsed in an action.
 */
import { InvalidArgumentError } from 'commander';
import { UsageError } from '../errors.ts';

/** For `.option('--n <n>', ..., nonNegativeInt)`. */
export function nonNegativeInt(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number (0, 1, 2, ...)');
  return Number(value);
}

/** For `.option('--n <n>', ..., positiveInt)`. */
export function positiveInt(value: string): number {
  const n = nonNegativeInt(value);
  if (n === 0) throw new InvalidArgumentError('expected a whole number above 0');
  return n;
}

const HOUR = 3_600_000;

/** "all" → no limit; "14d" / "36h" → that long before `now`; else a date (2024-05-01). */
export function parseSince(value: string, now: Date, option = '--since'): Date | null {
  if (value === 'all') return null;
  const m = /^(\d+)([dh])$/.exec(value);
  if (m) return new Date(now.getTime() - Number(m[1]) * (m[2] === 'd' ? 24 * HOUR : HOUR));
  const d = Date.parse(value);
  if (Number.isNaN(d)) throw new UsageError(`${option}: expected "all", "<n>d", "<n>h" or a date, got ${value}`);
  return new Date(d);
}

/** A case-insensitive regular expression from an option (git log -i --grep). */
export function parsePattern(value: string, option: string): RegExp {
  try {
    return new RegExp(value, 'i');
  } catch (err) {
    throw new UsageError(`${option}: not a regular expression: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Logs on stderr: DAXBOT_LOG_FORMAT when set, else readable lines on a terminal and JSON otherwise. */
export function defaultLogFormat(env: NodeJS.ProcessEnv, stderrIsTTY: boolean): string {
  return env.DAXBOT_LOG_FORMAT || (stderrIsTTY ? 'pretty' : 'json');
}

/** For `.option('--t <duration>', ..., durationOption)`: the configuration's duration forms. */
export function durationOption(value: string): string {
  if (!/^\d+(ms|s|m|h)$/.test(value))
    throw new InvalidArgumentError(
      'expected a duration: a whole number and a unit ms, s, m or h ("500ms", "30s", "5m")',
    );
  return value;
}
