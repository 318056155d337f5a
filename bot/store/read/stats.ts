/**
 * Read models of the dashboard's statistics (`/stats`): job outcomes by day, each run's build and
 * boot time with its runner, and per test how often it ran, failed and flaked, since a given
 * time. Aggregated by the database from the columns migration 009 added, never from stored JSON.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../tables.ts';

export interface OutcomeDayRow {
  day: string;
  outcome: string;
  n: number;
}

/** Finished jobs per day (YYYY-MM-DD of finished_at) and outcome. */
export async function outcomesByDay(db: Kysely<Database>, since: string): Promise<OutcomeDayRow[]> {
  const rows = await db
    .selectFrom('jobs')
    .select([
      sql<string>`substr(finished_at, 1, 10)`.as('day'),
      sql<string>`coalesce(outcome, 'unknown')`.as('outcome'),
      (eb) => eb.fn.countAll<number | string>().as('n'),
    ])
    .where('state', '=', 'done')
    .where('finished_at', '>=', since)
    .groupBy([sql`substr(finished_at, 1, 10)`, sql`coalesce(outcome, 'unknown')`])
    .execute();
  return rows.map((r) => ({ day: r.day, outcome: r.outcome, n: Number(r.n) }));
}

export interface RunTimingRow {
  runner: string;
  created_at: string;
  build_ms: number | null;
  boot_ms: number | null;
}

/** Build and boot time of every run (job runs and base runs) since `since`, oldest first. */
export async function runTimings(db: Kysely<Database>, since: string): Promise<RunTimingRow[]> {
  const jobRuns = db
    .selectFrom('runs')
    .innerJoin('jobs', 'jobs.id', 'runs.job_id')
    .select(['jobs.runner as runner', 'runs.created_at as created_at', 'runs.build_ms', 'runs.boot_ms'])
    .where('runs.created_at', '>=', since);
  const baseRuns = db
    .selectFrom('baselines')
    .select(['runner', 'created_at', 'build_ms', 'boot_ms'])
    .where('created_at', '>=', since);
  const rows = await jobRuns.unionAll(baseRuns).execute();
  return rows.sort((a, b) => a.created_at.localeCompare(b.created_at));
}

export interface TestRateRow {
  suite: string;
  name: string;
  runs: number;
  fails: number;
  /** Groups of runs that repeat each other (a job's runs of one role, a base cache key). */
  groups: number;
  /** Of those, the groups where the test both passed and failed. */
  flaky: number;
}

const FAILED = sql`case when status in ('fail', 'error', 'timeout') then 1 else 0 end`;
const PASSED = sql`case when status = 'pass' then 1 else 0 end`;

/** Per test since `since`: runs, failures, and the groups of repeated runs in which it flaked. */
export async function testRates(db: Kysely<Database>, since: string): Promise<TestRateRow[]> {
  const rows = await db
    .selectFrom((eb) =>
      eb
        .selectFrom('run_tests')
        .select([
          'suite',
          'name',
          'grp',
          (e) => e.fn.countAll<number | string>().as('runs'),
          sql<number | string>`sum(${FAILED})`.as('fails'),
          sql<number | string>`sum(${PASSED})`.as('passes'),
        ])
        .where('created_at', '>=', since)
        .groupBy(['suite', 'name', 'grp'])
        .as('g'),
    )
    .select([
      'g.suite',
      'g.name',
      sql<number | string>`sum(g.runs)`.as('runs'),
      sql<number | string>`sum(g.fails)`.as('fails'),
      (eb) => eb.fn.countAll<number | string>().as('groups'),
      sql<number | string>`sum(case when g.fails > 0 and g.passes > 0 then 1 else 0 end)`.as('flaky'),
    ])
    .groupBy(['g.suite', 'g.name'])
    .execute();
  return rows.map((r) => ({
    suite: r.suite,
    name: r.name,
    runs: Number(r.runs),
    fails: Number(r.fails),
    groups: Number(r.groups),
    flaky: Number(r.flaky),
  }));
}
