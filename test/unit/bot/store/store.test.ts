import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { getCheckpoint, setCheckpoint } from '../../../../bot/store/checkpoints.ts';
import {
  getMessageRaw,
  loadParsedForAssembly,
  messageCounts,
  storeMessage,
  type IncomingMessage,
} from '../../../../bot/store/messages.ts';
import { openStore, type Store } from '../../../../bot/store/store.ts';
import type { ParsedMessage } from '../../../../ingest/parse/types.ts';

function parsed(id: string, over: Partial<ParsedMessage> = {}): ParsedMessage {
  return {
    messageId: id,
    inReplyTo: null,
    references: [],
    from: { name: 'A', address: 'a@example.org' },
    to: [],
    cc: [],
    date: '2024-01-01T00:00:00.000Z',
    subject: {
      raw: '[PATCH] x',
      subject: 'x',
      isReply: false,
      prefixes: ['patch'],
      isPatch: true,
      isRfc: false,
      isResend: false,
      project: null,
      revision: 1,
      counter: 1,
      expected: 1,
    },
    listId: null,
    body: 'commit message\n\nSigned-off-by: A <a@example.org>',
    diff: 'diff --git a/x b/x\n',
    files: ['x'],
    trailers: [],
    baseCommit: null,
    prerequisitePatchIds: [],
    prerequisiteMessageIds: [],
    changeId: null,
    ...over,
  };
}

function incoming(raw: string, p: ParsedMessage | null, reason: string | null = null): IncomingMessage {
  return {
    raw: Buffer.from(raw),
    origin: 'test',
    parsed: p,
    quarantineReason: reason,
    messageIdHint: p?.messageId ?? null,
    followups: [],
  };
}

describe('store (real SQLite file)', () => {
  let dir: string;
  let store: Store | undefined;
  afterEach(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('migrates, keeps bytes exactly, records duplicate Message-IDs and re-sightings', async () => {
    dir = mkdtempSync(join(tmpdir(), 'daxbot-store-'));
    store = await openStore(join(dir, 'db.sqlite'));
    const now = new Date().toISOString();
    const bytes = 'Message-ID: <a@x>\r\nSubject: [PATCH] x\r\n\r\n\u00e9\x00binary\n';
    expect(await storeMessage(store.db, 's', incoming(bytes, parsed('a@x')), now)).toBe('stored');
    expect(await storeMessage(store.db, 's', incoming(bytes, parsed('a@x')), now)).toBe('seen-again');
    expect(await storeMessage(store.db, 's', incoming(bytes + 'Received: other\n', parsed('a@x')), now)).toBe(
      'duplicate-id',
    );
    expect(await storeMessage(store.db, 's', incoming('garbage', null, 'no headers'), now)).toBe('quarantined');
    expect((await getMessageRaw(store.db, 'a@x'))?.equals(Buffer.from(bytes))).toBe(true);
    const c = await messageCounts(store.db);
    expect(c).toMatchObject({ total: 3, ok: 2, quarantined: 1, duplicateIds: 1, sightings: 1 });
    const rows = await store.db
      .selectFrom('messages')
      .select(['status', 'quarantine_reason'])
      .where('status', '=', 'quarantined')
      .execute();
    expect(rows[0]?.quarantine_reason).toBe('no headers');
  });

  it('gives assembly whole patches and replies reduced to their trailers', async () => {
    dir = mkdtempSync(join(tmpdir(), 'daxbot-store-'));
    store = await openStore(join(dir, 'db.sqlite'));
    const now = new Date().toISOString();
    await storeMessage(store.db, 's', incoming('p', parsed('p@x')), now);
    const reply = parsed('r@x', {
      inReplyTo: 'p@x',
      diff: null,
      body: '> quoted\nLooks good.\n\nReviewed-by: B <b@example.org>',
      subject: {
        raw: 'Re: [PATCH] x',
        subject: 'x',
        isReply: true,
        prefixes: ['patch'],
        isPatch: true,
        isRfc: false,
        isResend: false,
        project: null,
        revision: 1,
        counter: 1,
        expected: 1,
      },
    });
    await storeMessage(
      store.db,
      's',
      { ...incoming('r', reply), followups: [{ name: 'Reviewed-by', value: 'B <b@example.org>' }] },
      now,
    );
    const loaded = await loadParsedForAssembly(store.db);
    expect(loaded.map((m) => m.messageId)).toEqual(['p@x', 'r@x']);
    expect(loaded[0]?.diff).toBe('');
    expect(loaded[0]?.diffHash).toMatch(/^[0-9a-f]{40}$/);
    expect(loaded[1]?.body).toBe('Reviewed-by: B <b@example.org>');
  });

  it('checkpoints commit with the transaction or not at all', async () => {
    dir = mkdtempSync(join(tmpdir(), 'daxbot-store-'));
    store = await openStore(join(dir, 'db.sqlite'));
    const s = store;
    await expect(
      s.db.transaction().execute(async (trx) => {
        await setCheckpoint(trx, 'src', 'c1', 'now');
        throw new Error('crash between messages and checkpoint');
      }),
    ).rejects.toThrow();
    expect(await getCheckpoint(s.db, 'src')).toBeNull();
    await setCheckpoint(s.db, 'src', 'c2', 'now');
    expect(await getCheckpoint(s.db, 'src')).toBe('c2');
  });

  it('re-opening an existing file does not re-run migrations', async () => {
    dir = mkdtempSync(join(tmpdir(), 'daxbot-store-'));
    const file = join(dir, 'db.sqlite');
    const first = await openStore(file);
    await storeMessage(first.db, 's', incoming('p', parsed('p@x')), 'now');
    await first.close();
    store = await openStore(file);
    expect((await messageCounts(store.db)).total).toBe(1);
  });
});
