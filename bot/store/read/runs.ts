/**
 * Read models of the dashboard's run pages: `/runs/<id>` (a job's step, with its job's version
 * and runner), `/baselines/<id>` (a cached base run) and `/baselines` (every cached base run).
 * Rows only; dashboard/run-data.ts parses the stored results and cuts the console logs.
 */
import type { Kysely, Selectable } from 'kysely';
import type { BaselinesTable, Database, RunsTable } from '../tables.ts';

export async function runRow(
  db: Kysely<Database>,
  id: number,
): Promise<{ run: Selectable<RunsTable>; job: { version_key: string; runner: string } | null } | null> {
  const run = await db.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirst();
  if (!run) return null;
  const job = await db
    .selectFrom('jobs')
    .select(['version_key', 'runner'])
    .where('id', '=', run.job_id)
    .executeTakeFirst();
  return { run, job: job ?? null };
}

export async function baselineRow(db: Kysely<Database>, id: number): Promise<Selectable<BaselinesTable> | null> {
  return (await db.selectFrom('baselines').selectAll().where('id', '=', id).executeTakeFirst()) ?? null;
}

/** Every cached base run, newest first. */
export async function baselineRows(db: Kysely<Database>): Promise<Selectable<BaselinesTable>[]> {
  return db.selectFrom('baselines').selectAll().orderBy('id', 'desc').execute();
}
