/**
 * Migrations 010-012 on a store written before them, with what racing processes could have left
 * (identical messages stored twice, two first copies of one Message-ID, a new series dispatched
 * twice, commands handled before command_mails existed): nothing is lost and the new unique
 * indexes can be created.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { migrations } from '../../../../bot/store/migrations/index.ts';
import { openStore } from '../../../../bot/store/store.ts';

const NOW = '2024-06-01T00:00:00.000Z';

async function oldStore(file: string): Promise<void> {
  const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new SQLite(file) }) });
  const all = migrations('sqlite');
  const before = Object.fromEntries(Object.entries(all).filter(([name]) => name < '007'));
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => before },
    migrationTableName: 'daxbot_migrations',
    migrationLockTableName: 'daxbot_migrations_lock',
  });
  const { error } = await migrator.migrateToLatest();
  if (error) throw error;
  const msg = (id: string, sha: string, source: string) =>
    sql`INSERT INTO messages (message_id, raw, raw_sha256, source, origin, received_at, status)
      VALUES (${id}, ${Buffer.from(id + sha)}, ${sha}, ${source}, 'o', ${NOW}, 'ok')`.execute(db);
  await msg('a@x', 's1', 'one');
  await msg('a@x', 's1', 'two');
  await msg('b@x', 's2', 'one');
  await msg('b@x', 's3', 'two');
  await sql`INSERT INTO sightings (message_row, source, origin, seen_at) VALUES (2, 'three', 'o', ${NOW})`.execute(db);
  const job = (trigger: string) =>
    sql`INSERT INTO jobs (version_key, trigger, priority, state, runner, options, created_at, updated_at)
      VALUES ('v#1', ${trigger}, 0, 'done', 'r', '{}', ${NOW}, ${NOW})`.execute(db);
  await job('new-series');
  await job('new-series');
  await job('rerun');
  await sql`INSERT INTO commands (message_id, text, action, decision, reason, reply_message_id, created_at)
    VALUES ('cmd@x/1', '#daxbot retest', 'rerun', 'accepted', 'ok', 'answer@x', ${NOW}),
           ('cmd@x/2', '#daxbot invalid', 'none', 'refused', 'no', 'answer2@x', ${NOW})`.execute(db);
  await db.destroy();
}

describe('migrations 010-012 on an older store', () => {
  it('repairs what races left and keeps every delivery', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'daxbot-migrate-')), 'db.sqlite');
    await oldStore(file);
    const store = await openStore(file);
    const messages = await store.db.selectFrom('messages').select(['id', 'message_id', 'dup_of']).execute();
    // The identical second copy of a@x became a sighting of the first, and so did its own sighting.
    expect(messages).toEqual([
      { id: 1, message_id: 'a@x', dup_of: null },
      { id: 3, message_id: 'b@x', dup_of: null },
      { id: 4, message_id: 'b@x', dup_of: 3 },
    ]);
    const sightings = await store.db.selectFrom('sightings').select(['message_row', 'source']).execute();
    expect(sightings.map((s) => [s.message_row, s.source]).sort()).toEqual([
      [1, 'three'],
      [1, 'two'],
    ]);
    const jobs = await store.db.selectFrom('jobs').select(['id', 'trigger']).orderBy('id').execute();
    expect(jobs.map((j) => j.trigger)).toEqual(['new-series', 'new-series-duplicate', 'rerun']);
    expect(
      await store.db.selectFrom('command_mails').select(['message_id', 'state', 'reply_message_id']).execute(),
    ).toEqual([{ message_id: 'cmd@x', state: 'answered', reply_message_id: 'answer@x' }]);
    // The indexes hold from now on.
    const dup = sql`INSERT INTO messages (message_id, raw, raw_sha256, source, origin, received_at, status)
      VALUES ('a@x', x'00', 's1', 's', 'o', ${NOW}, 'ok')`;
    await expect(dup.execute(store.db)).rejects.toThrow(/UNIQUE/);
    await store.close();
  });
});
