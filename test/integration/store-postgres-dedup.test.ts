/**
 * Two ingesters on one real PostgreSQL server (two connection pools, READ COMMITTED, as two
 * machines of a fleet): they store the same mails at the same moment. Deduplication is an insert
 * that cannot duplicate (a unique (message_id, raw_sha256) index and INSERT ... ON CONFLICT), so
 * every mail is stored once and the other delivery is a sighting; a second copy with other bytes
 * is linked to the one first copy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeMessages, type IncomingMessage } from '../../bot/store/messages.ts';
import { setCheckpoint } from '../../bot/store/checkpoints.ts';
import { openStore, type Store } from '../../bot/store/store.ts';
import { findPostgresBin, startPostgres, type PostgresServer } from '../helpers/servers/postgres.ts';

function mail(id: string, extra = ''): IncomingMessage {
  return {
    raw: Buffer.from(`Message-ID: <${id}>\nSubject: s\n${extra}\nbody of ${id}\n`),
    origin: 'test',
    parsed: null,
    quarantineReason: 'test mail',
    messageIdHint: id,
    followups: [],
  };
}

/** Stores a batch as the ingest driver does: messages and checkpoint in one transaction. */
async function ingest(store: Store, source: string, msgs: IncomingMessage[]): Promise<void> {
  await store.db.transaction().execute(async (trx) => {
    await setCheckpoint(trx, source, 'x', 'now');
    await storeMessages(trx, source, msgs, 'now');
  });
}

describe.skipIf(!findPostgresBin())('deduplication with two ingesters on a real PostgreSQL server', () => {
  let server: PostgresServer;
  let a: Store;
  let b: Store;
  beforeAll(async () => {
    server = await startPostgres();
    a = await openStore(server.url);
    b = await openStore(server.url);
  }, 60_000);
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await server?.stop();
  });

  it('stores each mail once when two ingesters store the same batches at the same time', async () => {
    for (let round = 0; round < 5; round++) {
      const batch = Array.from({ length: 40 }, (_, i) => mail(`r${round}-m${i}@example.org`));
      await Promise.all([ingest(a, 'lore-a', batch), ingest(b, 'lore-b', batch)]);
    }
    const rows = await a.db.selectFrom('messages').select(['message_id', 'raw_sha256']).execute();
    expect(rows).toHaveLength(200);
    expect(new Set(rows.map((r) => `${r.message_id} ${r.raw_sha256}`)).size).toBe(200);
    // The other delivery of each is a sighting: nothing lost.
    const sightings = await a.db.selectFrom('sightings').select('message_row').execute();
    expect(sightings).toHaveLength(200);
  });

  it('links a second copy with other bytes to the one first copy', async () => {
    for (let round = 0; round < 5; round++) {
      const id = `copies${round}@example.org`;
      await Promise.all([
        ingest(a, 'lore-a', [mail(id, 'Received: by a')]),
        ingest(b, 'lore-b', [mail(id, 'Received: by b')]),
      ]);
      const rows = await a.db.selectFrom('messages').select(['id', 'dup_of']).where('message_id', '=', id).execute();
      expect(rows).toHaveLength(2);
      const first = rows.filter((r) => r.dup_of === null);
      expect(first).toHaveLength(1);
      expect(rows.find((r) => r.dup_of !== null)?.dup_of).toBe(first[0]?.id);
    }
  });
});
