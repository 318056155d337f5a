/**
 * Read models of the dashboard's run pages: `/runs/<id>` (a job's step, with its job's version
 * and runner), `/baselines/<id>` (a cached base run) and `/baselines` (every cached base run).
 * Rows only; dashboard/run-data.ts parses the stored results and cuts the console logs.
 */
import type { Kysely, Selectable } from 'kysely';
import type { BaselinesTable, Database, RunsTable } from '../tables.ts';

/** Every cached base run, newest first. */
export async function baselineRows(db: Kysely<Database>): Promise<Selectable<BaselinesTable>[]> {
  return db.selectFrom('baselines').selectAll().orderBy('id', 'desc').execute();
}

export type NumberedRunRow =
  | { kind: 'run'; run: Selectable<RunsTable>; job: { version_key: string; runner: string } | null }
  | { kind: 'baseline'; run: Selectable<BaselinesTable> };

/** A run by its number in the one sequence job runs and base runs share. */
export async function runByNumber(db: Kysely<Database>, runNo: number): Promise<NumberedRunRow | null> {
  const run = await db.selectFrom('runs').selectAll().where('run_no', '=', runNo).executeTakeFirst();
  if (run) {
    const job = await db
      .selectFrom('jobs')
      .select(['version_key', 'runner'])
      .where('id', '=', run.job_id)
      .executeTakeFirst();
    return { kind: 'run', run, job: job ?? null };
  }
  const base = await db.selectFrom('baselines').selectAll().where('run_no', '=', runNo).executeTakeFirst();
  return base ? { kind: 'baseline', run: base } : null;
}

/** The number of a base run, by its row id (the old `/baselines/<id>` links). */
export async function baselineRunNo(db: Kysely<Database>, id: number): Promise<number | null> {
  const r = await db.selectFrom('baselines').select('run_no').where('id', '=', id).executeTakeFirst();
  return r?.run_no ?? null;
}
