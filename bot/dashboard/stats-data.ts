/**
 * The data behind `/stats` (and `/stats.json`): over the last `weeks` weeks, finished jobs per
 * week and outcome, the median build and boot time per runner and week, and per test how often
 * it ran, failed and flaked (both results within one group of repeated runs). Weeks start on
 * Monday (UTC) and are named by that day.
 */
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { OUTCOME_PRECEDENCE } from '../store/read/series-list.ts';
import { outcomesByDay, runTimings, testRates, type RunTimingRow, type TestRateRow } from '../store/read/stats.ts';
import type { Database } from '../store/tables.ts';
import { HttpError } from './http-error.ts';

const DAY = 86_400_000;

export const statsQuerySchema = z.object({ weeks: z.coerce.number().int().min(1).max(520).default(26) });

export function parseStatsQuery(params: Record<string, string>): { weeks: number } {
  const r = statsQuerySchema.safeParse(params);
  if (!r.success) throw new HttpError(400, `weeks: ${r.error.issues[0]?.message ?? 'invalid'}`);
  return r.data;
}

export interface TestRate extends TestRateRow {
  failRate: number;
  flakeRate: number;
}

export interface StatsView {
  since: string;
  weeks: string[];
  outcomes: { categories: string[]; perWeek: number[][] };
  /** Median milliseconds per runner and week (null: no run that week). */
  timings: { runner: string; buildMs: (number | null)[]; bootMs: (number | null)[] }[];
  tests: TestRate[];
}

/** The Monday (UTC) of the week holding `iso`, as YYYY-MM-DD. */
export function weekOf(iso: string): string {
  const t = Date.parse(iso.length === 10 ? `${iso}T00:00:00.000Z` : iso);
  const d = new Date(t - (t % DAY));
  const back = (d.getUTCDay() + 6) % 7;
  return new Date(d.getTime() - back * DAY).toISOString().slice(0, 10);
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? null) : Math.round(((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2);
}

function weeksSince(first: string, now: Date): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${first}T00:00:00.000Z`); t <= now.getTime(); t += 7 * DAY)
    out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

/** Median build and boot time per runner and week; each run is put in its week once. */
function timingsPerWeek(runs: RunTimingRow[], index: Map<string, number>): StatsView['timings'] {
  const byRunner = new Map<string, { build: number[][]; boot: number[][] }>();
  for (const r of runs) {
    const w = index.get(weekOf(r.created_at));
    if (w === undefined) continue;
    let t = byRunner.get(r.runner);
    if (!t) {
      t = { build: [...index.keys()].map(() => []), boot: [...index.keys()].map(() => []) };
      byRunner.set(r.runner, t);
    }
    if (r.build_ms !== null) t.build[w]?.push(r.build_ms);
    if (r.boot_ms !== null) t.boot[w]?.push(r.boot_ms);
  }
  return [...byRunner.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([runner, t]) => ({ runner, buildMs: t.build.map(median), bootMs: t.boot.map(median) }));
}

export async function loadStatsView(db: Kysely<Database>, weeksBack: number, now: Date): Promise<StatsView> {
  const since = weekOf(new Date(now.getTime() - (weeksBack - 1) * 7 * DAY).toISOString());
  const weeks = weeksSince(since, now);
  const index = new Map(weeks.map((w, i) => [w, i]));
  const days = await outcomesByDay(db, since);
  const seen = new Set(days.map((d) => d.outcome));
  const categories = [
    ...OUTCOME_PRECEDENCE.filter((o) => seen.has(o)),
    ...[...seen].filter((o) => !(OUTCOME_PRECEDENCE as readonly string[]).includes(o)).sort(),
  ];
  const perWeek = weeks.map(() => categories.map(() => 0));
  for (const d of days) {
    const row = perWeek[index.get(weekOf(d.day)) ?? -1];
    const c = categories.indexOf(d.outcome);
    if (row && c >= 0) row[c] = (row[c] ?? 0) + d.n;
  }
  const timings = timingsPerWeek(await runTimings(db, since), index);
  const tests = (await testRates(db, since))
    .map((t) => ({ ...t, failRate: t.runs ? t.fails / t.runs : 0, flakeRate: t.groups ? t.flaky / t.groups : 0 }))
    .sort((a, b) => b.flakeRate - a.flakeRate || b.failRate - a.failRate || a.name.localeCompare(b.name));
  return { since, weeks, outcomes: { categories, perWeek }, timings, tests };
}
