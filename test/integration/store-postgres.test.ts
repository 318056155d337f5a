/**
 * The store's query layer against a real PostgreSQL server: the same migrations and queries
 * the embedded SQLite default runs, so a fleet can share one database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getCheckpoint, setCheckpoint } from '../../bot/store/checkpoints.ts';
import { duplicateDeliveries, getMessageRaw, messageCounts, storeMessage } from '../../bot/store/messages.ts';
import { claimJob, insertJob } from '../../bot/store/jobs.ts';
import { listSeriesVersions, saveSeriesVersions } from '../../bot/store/series.ts';
import { openStore, type Store } from '../../bot/store/store.ts';
import { findPostgresBin, startPostgres, type PostgresServer } from '../helpers/servers/postgres.ts';

describe.skipIf(!findPostgresBin())('store on a real PostgreSQL server', () => {
  let server: PostgresServer;
  let store: Store;
  beforeAll(async () => {
    server = await startPostgres();
    store = await openStore(server.url);
  }, 60_000);
  afterAll(async () => {
    await store?.close();
    await server?.stop();
  });

  it('migrates and runs the message, checkpoint and series queries', async () => {
    expect(store.dialect).toBe('postgres');
    const raw = Buffer.from('Message-ID: <a@x>\n\n\u00e9 bytes\x00\n', 'utf8');
    const msg = { raw, origin: 't', parsed: null, quarantineReason: 'test', messageIdHint: 'a@x', followups: [] };
    expect(await storeMessage(store.db, 's', msg, 'now')).toBe('quarantined');
    expect(await storeMessage(store.db, 's', msg, 'now')).toBe('seen-again');
    expect((await getMessageRaw(store.db, 'a@x'))?.equals(raw)).toBe(true);
    expect(await messageCounts(store.db)).toMatchObject({ total: 1, quarantined: 1, sightings: 1 });
    expect((await duplicateDeliveries(store.db)).length).toBe(1);
    await setCheckpoint(store.db, 's', 'c1', 'now');
    await setCheckpoint(store.db, 's', 'c2', 'now');
    expect(await getCheckpoint(store.db, 's')).toBe('c2');
    const v = {
      key: 'k#v1',
      seriesKey: 'k',
      revision: 1,
      project: 'kernel',
      subject: 's',
      rootMessageId: 'r',
      coverMessageId: null,
      threadRootId: 'r',
      author: { name: 'A', address: 'a@x' },
      expected: 1,
      patches: [],
      complete: true,
      baseCommit: null,
      firstDate: null,
      lastDate: null,
    };
    expect(await saveSeriesVersions(store.db, [v], 'now')).toMatchObject({ inserted: 1 });
    expect(await saveSeriesVersions(store.db, [v], 'now')).toMatchObject({ unchanged: 1 });
    expect((await listSeriesVersions(store.db))[0]?.version_key).toBe('k#v1');
  });
  it('survives the server dropping its idle connections (a restart or failover)', async () => {
    const { sql } = await import('kysely');
    // Several idle pool connections, then the server ends every one but the asking one.
    await Promise.all([1, 2, 3].map(() => sql`SELECT pg_sleep(0.05)`.execute(store.db)));
    const killed = await sql<{
      n: number;
    }>`SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND usename = current_user`.execute(
      store.db,
    );
    expect(killed.rows[0]?.n).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 200));
    // No unhandled 'error' from the pool (vitest would report it), and queries go on.
    expect(await messageCounts(store.db)).toBeDefined();
  });

  it('workers of two machines claiming at once each get a job while any is queued', async () => {
    // Two processes' stores: their claims race for the same first candidate. A worker that lost
    // the race used to be told the queue was empty, and sat idle until its next cycle.
    const other = await openStore(server.url);
    try {
      const now = new Date();
      for (let i = 0; i < 8; i++)
        await insertJob(store.db, { versionKey: `claim#v${i}`, trigger: 'new', priority: 0, runner: 'r' }, 'now');
      const claims = await Promise.all(
        Array.from({ length: 8 }, (_, i) => claimJob((i % 2 ? other : store).db, `w${i}`, now, 60_000)),
      );
      const ids = claims.map((c) => c?.id ?? null);
      expect(ids).not.toContain(null);
      expect(new Set(ids).size).toBe(8);
      expect(await claimJob(store.db, 'late', now, 60_000)).toBeNull();
    } finally {
      await other.close();
    }
  });
});
