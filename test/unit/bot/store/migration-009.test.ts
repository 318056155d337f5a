import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, sql, SqliteDialect } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { migrations } from '../../../../bot/store/migrations/index.ts';
import { recordRun } from '../../../../bot/store/runs.ts';
import { openStore } from '../../../../bot/store/store.ts';
import { runResult, version } from '../../../helpers/pipeline-fakes.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'daxbot-mig008-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A store as the bot left it before migration 009, with a version, a job, two runs and a base run. */
async function oldStore(file: string): Promise<void> {
  const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new SQLite(file) }) });
  const all = migrations('sqlite');
  const before = Object.fromEntries(Object.entries(all).filter(([name]) => name < '009'));
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => before },
    migrationTableName: 'daxbot_migrations',
    migrationLockTableName: 'daxbot_migrations_lock',
  });
  const { error } = await migrator.migrateToLatest();
  if (error) throw error;
  const v = version('old#v1', 2);
  const now = '2024-06-01T12:00:00.000Z';
  await sql`INSERT INTO series_versions (version_key, series_key, revision, project, subject, root_message_id,
    cover_message_id, thread_root_id, author, expected, present, complete, has_cover, base_commit, first_date,
    last_date, data, created_at, updated_at) VALUES (${v.key}, ${v.seriesKey}, 1, 'kernel', ${v.subject},
    ${v.rootMessageId}, ${v.coverMessageId}, ${v.rootMessageId}, 'Ann', 2, 2, 1, 1, NULL, ${now}, ${now},
    ${JSON.stringify(v)}, ${now}, ${now})`.execute(db);
  await sql`INSERT INTO jobs (version_key, trigger, priority, state, runner, options, attempts, created_at, updated_at)
    VALUES (${v.key}, 'new', 0, 'done', 'qemu-pmem', '{}', 0, ${now}, ${now})`.execute(db);
  const result = (fail: boolean): string =>
    JSON.stringify(
      runResult({
        timings: { buildMs: 1234.4, bootMs: 567 },
        tests: [{ suite: 'dax', name: 'mmap', status: fail ? 'fail' : 'pass' }],
      }),
    );
  for (const [i, step] of ['series:0', 'series:1'].entries())
    await sql`INSERT INTO runs (job_id, step, role, patch_limit, failure_class, duration_ms, result, created_at)
      VALUES (1, ${step}, 'series', NULL, 'none', 10, ${result(i === 0)}, ${now})`.execute(db);
  await sql`INSERT INTO baselines (cache_key, repeat, runner, tree_commit, config_hash, suites,
    duration_ms, result, created_at) VALUES ('k1', 0, 'qemu-pmem', 'abc', 'cfg', 'dax', 10, ${result(false)},
    ${now})`.execute(db);
  await db.destroy();
}

describe('migration 009 over an existing store', () => {
  it('numbers old runs in one sequence, fills timings, test rows and Message-IDs; new runs go on from there', async () => {
    const file = path.join(dir, 'db.sqlite');
    await oldStore(file);
    const store = await openStore(file);
    const runs = await store.db.selectFrom('runs').select(['id', 'run_no', 'build_ms', 'boot_ms']).execute();
    expect(runs).toEqual([
      { id: 1, run_no: 1, build_ms: 1234, boot_ms: 567 },
      { id: 2, run_no: 2, build_ms: 1234, boot_ms: 567 },
    ]);
    const base = await store.db.selectFrom('baselines').select('run_no').executeTakeFirstOrThrow();
    expect(base.run_no).toBe(3);
    const tests = await store.db
      .selectFrom('run_tests')
      .select(['run_no', 'status', 'grp'])
      .orderBy('run_no')
      .execute();
    expect(tests).toEqual([
      { run_no: 1, status: 'fail', grp: 'job:1:series' },
      { run_no: 2, status: 'pass', grp: 'job:1:series' },
      { run_no: 3, status: 'pass', grp: 'base:k1' },
    ]);
    const ids = await store.db.selectFrom('version_messages').select('message_id').orderBy('message_id').execute();
    expect(ids.map((r) => r.message_id)).toEqual([
      'old#v1-0@example.org',
      'old#v1-1@example.org',
      'old#v1-2@example.org',
    ]);
    const next = await recordRun(
      store.db,
      1,
      { step: 'bisect:1', role: 'bisect', patchLimit: 1, durationMs: 5, result: runResult() },
      '2024-06-02T00:00:00.000Z',
    );
    expect(next).toBe(4);
    await store.close();
  });
});
