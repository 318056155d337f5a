import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import type { Dialect } from '../dialect.ts';
import { versionMessageIds } from '../version-ids.ts';

/**
 * What the dashboard reads at list scale, without parsing every stored JSON on every page:
 * - one numbering for runs: `run_no` on `runs` and `baselines` alike, drawn from the `counters`
 *   row 'run' (a job's runs keep their id as their number, so links already mailed stay right;
 *   older base runs are numbered after them);
 * - each run's build and boot time, and the tree its job was routed to (`jobs.tree`);
 * - `run_tests`: one row per test result of a run, for failure and flake rates;
 * - `version_messages`: every Message-ID of a series version (root, cover, patches), so any of
 *   them finds the version through an index;
 * - `settings`: small values the bot keeps once (the dashboard's session signing key);
 * - indexes for the series list's sort orders and the statistics' time windows.
 * Existing rows are filled in from their stored JSON. Portable SQL: the same on PostgreSQL.
 */
export function up009(dialect: Dialect) {
  return async (db: Kysely<unknown>): Promise<void> => {
    await createTables(db, dialect);
    for (const table of ['runs', 'baselines']) {
      // One column per statement: SQLite's ALTER TABLE adds one at a time.
      await db.schema.alterTable(table).addColumn('run_no', 'integer').execute();
      await db.schema.alterTable(table).addColumn('build_ms', 'integer').execute();
      await db.schema.alterTable(table).addColumn('boot_ms', 'integer').execute();
      await db.schema.createIndex(`${table}_created`).on(table).column('created_at').execute();
    }
    await db.schema.alterTable('jobs').addColumn('tree', 'text').execute();
    await numberRuns(db);
    await db.schema.createIndex('runs_run_no').on('runs').column('run_no').unique().execute();
    await db.schema.createIndex('baselines_run_no').on('baselines').column('run_no').unique().execute();
    await fillFromResults(db, 'runs');
    await fillFromResults(db, 'baselines');
    await fillVersionMessages(db);
    await db.schema.createIndex('series_versions_last_date').on('series_versions').column('last_date').execute();
    await db.schema.createIndex('series_versions_project').on('series_versions').column('project').execute();
    await db.schema.createIndex('jobs_created').on('jobs').column('created_at').execute();
  };
}

async function createTables(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('counters')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('settings')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('run_tests')
    .addColumn('id', dialect === 'postgres' ? 'serial' : 'integer', (c) =>
      dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn('run_no', 'integer', (c) => c.notNull())
    .addColumn('runner', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('suite', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    /** The runs that belong together for flakiness: a job's runs of one role, or a base cache key. */
    .addColumn('grp', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('run_tests_created').on('run_tests').column('created_at').execute();
  await db.schema.createIndex('run_tests_run').on('run_tests').column('run_no').execute();
  await db.schema
    .createTable('version_messages')
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('version_key', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('version_messages_id').on('version_messages').column('message_id').execute();
  await db.schema.createIndex('version_messages_version').on('version_messages').column('version_key').execute();
}

async function numberRuns(db: Kysely<unknown>): Promise<void> {
  await sql`UPDATE runs SET run_no = id`.execute(db);
  const max = await sql<{ m: number | null }>`SELECT max(id) AS m FROM runs`.execute(db);
  let next = Number(max.rows[0]?.m ?? 0);
  const base = await sql<{ id: number }>`SELECT id FROM baselines ORDER BY id`.execute(db);
  for (const b of base.rows) await sql`UPDATE baselines SET run_no = ${++next} WHERE id = ${b.id}`.execute(db);
  await sql`INSERT INTO counters (name, value) VALUES ('run', ${next})`.execute(db);
}

const storedResult = z.object({
  timings: z.record(z.number()).catch({}),
  tests: z
    .array(z.object({ suite: z.string().catch(''), name: z.string().catch(''), status: z.string().catch('') }))
    .catch([]),
});

interface OldRun {
  id: number;
  run_no: number;
  result: string;
  created_at: string;
  runner: string;
  role: string;
  grp: string;
}

function parseResult(text: string): z.infer<typeof storedResult> {
  try {
    return storedResult.parse(JSON.parse(text));
  } catch {
    return { timings: {}, tests: [] };
  }
}

async function oldRuns(db: Kysely<unknown>, table: 'runs' | 'baselines', afterId: number): Promise<OldRun[]> {
  const q =
    table === 'runs'
      ? sql<OldRun>`SELECT r.id, r.run_no, r.result, r.created_at, coalesce(j.runner, '') AS runner, r.role,
          'job:' || r.job_id || ':' || r.role AS grp
          FROM runs r LEFT JOIN jobs j ON j.id = r.job_id WHERE r.id > ${afterId} ORDER BY r.id LIMIT 200`
      : sql<OldRun>`SELECT id, run_no, result, created_at, runner, 'base' AS role, 'base:' || cache_key AS grp
          FROM baselines WHERE id > ${afterId} ORDER BY id LIMIT 200`;
  return (await q.execute(db)).rows;
}

/** Timings and test rows from each stored result, a page at a time (results hold console logs). */
async function fillFromResults(db: Kysely<unknown>, table: 'runs' | 'baselines'): Promise<void> {
  let after = 0;
  for (;;) {
    const page = await oldRuns(db, table, after);
    if (page.length === 0) return;
    for (const r of page) {
      after = r.id;
      const parsed = parseResult(r.result);
      const build = parsed.timings.buildMs ?? null;
      const boot = parsed.timings.bootMs ?? null;
      await sql`UPDATE ${sql.table(table)} SET build_ms = ${build === null ? null : Math.round(build)},
        boot_ms = ${boot === null ? null : Math.round(boot)} WHERE id = ${r.id}`.execute(db);
      for (const t of parsed.tests)
        await sql`INSERT INTO run_tests (run_no, runner, role, suite, name, status, grp, created_at)
          VALUES (${r.run_no}, ${r.runner}, ${r.role}, ${t.suite}, ${t.name}, ${t.status}, ${r.grp}, ${r.created_at})`.execute(
          db,
        );
    }
  }
}

async function fillVersionMessages(db: Kysely<unknown>): Promise<void> {
  let after = 0;
  for (;;) {
    const page = await sql<{ id: number; version_key: string; data: string }>`
      SELECT id, version_key, data FROM series_versions WHERE id > ${after} ORDER BY id LIMIT 500`.execute(db);
    if (page.rows.length === 0) return;
    for (const v of page.rows) {
      after = v.id;
      for (const id of versionMessageIds(v.data))
        await sql`INSERT INTO version_messages (message_id, version_key) VALUES (${id}, ${v.version_key})`.execute(db);
    }
  }
}
