import { createHash } from 'node:crypto';
import { sql, type Insertable, type Kysely, type Transaction } from 'kysely';
import type { ParsedMessage, Trailer } from '../../ingest/parse/types.ts';
import type { Database, MessagesTable } from './tables.ts';
import { patchworkHash } from '../../ingest/series/message-view.ts';
import { followupTrailerText } from '../../ingest/series/followup-trailers.ts';
import { syntheticId } from '../../ingest/parse/synthetic-id.ts';

/** One message ready to be stored: its bytes, and either its parse or why it was quarantined. */
export interface IncomingMessage {
  raw: Buffer;
  origin: string;
  parsed: ParsedMessage | null;
  quarantineReason: string | null;
  /** For quarantined mail: the Message-ID if one could be read at all. */
  messageIdHint: string | null;
  /** Trailers this message gives to the patch it replies to. */
  followups: Trailer[];
}

export type StoreOutcome = 'stored' | 'quarantined' | 'duplicate-id' | 'seen-again';

export interface StoreCounts {
  stored: number;
  quarantined: number;
  /** Same Message-ID as a stored message, different bytes: kept, linked by dup_of. */
  duplicateIds: number;
  /** Byte-identical to a stored message: only the sighting is recorded. */
  seenAgain: number;
}

export function emptyCounts(): StoreCounts {
  return { stored: 0, quarantined: 0, duplicateIds: 0, seenAgain: 0 };
}

export function sha256(raw: Buffer): string {
  return createHash('sha256').update(raw).digest('hex');
}

/** A Message-ID for mail that has none (or is too broken to tell), stable for the same bytes. */

type MessageInsert = Insertable<MessagesTable>;

function messageRow(
  source: string,
  msg: IncomingMessage,
  messageId: string,
  hash: string,
  dupOf: number | null,
  now: string,
): MessageInsert {
  const p = msg.parsed;
  // A reply's body (often a whole quoted patch) is not duplicated into JSON: assembly only needs
  // the trailers it gives, kept in `followups`, and the raw bytes keep everything else.
  const keepBody = p !== null && (p.diff !== null || (p.subject.isPatch && !p.subject.isReply));
  return {
    message_id: messageId,
    dup_of: dupOf,
    raw: msg.raw,
    raw_sha256: hash,
    source,
    origin: msg.origin,
    received_at: now,
    status: p ? 'ok' : 'quarantined',
    quarantine_reason: p ? null : (msg.quarantineReason ?? 'unparseable'),
    subject: p?.subject.raw ?? null,
    from_name: p?.from.name ?? null,
    from_address: p?.from.address ?? null,
    date: p?.date ?? null,
    in_reply_to: p?.inReplyTo ?? null,
    list_id: p?.listId ?? null,
    is_patch: p?.subject.isPatch && !p.subject.isReply ? 1 : 0,
    is_reply: p?.subject.isReply ? 1 : 0,
    revision: p?.subject.revision ?? 1,
    counter: p?.subject.counter ?? 1,
    expected: p?.subject.expected ?? 1,
    project: p?.subject.project ?? null,
    has_diff: p?.diff ? 1 : 0,
    followups: msg.followups.length > 0 ? JSON.stringify(msg.followups) : null,
    parsed: p ? JSON.stringify(keepBody ? p : { ...p, body: '' }) : null,
  };
}

/** Rows per multi-row INSERT: few statements to prepare, well under SQLite's variable limit. */
const INSERT_CHUNK = 200;

/**
 * Stores a batch inside the caller's transaction. Bytes are kept exactly; a second copy with
 * the same Message-ID but other bytes is kept too (duplicate deliveries on lore differ in their
 * Received headers), and an identical copy only adds a sighting. Batched because ingest speed is
 * dominated by statement count: one lookup and a few multi-row inserts per batch.
 */
export async function storeMessages(
  trx: Transaction<Database> | Kysely<Database>,
  source: string,
  msgs: readonly IncomingMessage[],
  now: string,
): Promise<StoreOutcome[]> {
  const keyed = msgs.map((msg) => ({
    msg,
    hash: sha256(msg.raw),
    messageId: msg.parsed?.messageId ?? msg.messageIdHint ?? syntheticId(msg.raw),
  }));
  const ids = [...new Set(keyed.map((k) => k.messageId))];
  /** message_id → stored copies (id, sha), oldest first; grows as this batch is stored. */
  const known = new Map<string, { id: number | null; sha: string }[]>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await trx
      .selectFrom('messages')
      .select(['id', 'message_id', 'raw_sha256'])
      .where('message_id', 'in', ids.slice(i, i + 500))
      .orderBy('id')
      .execute();
    for (const r of rows) {
      const list = known.get(r.message_id) ?? [];
      list.push({ id: r.id, sha: r.raw_sha256 });
      known.set(r.message_id, list);
    }
  }
  const outcomes: StoreOutcome[] = [];
  const inserts: MessageInsert[] = [];
  const sightingsOf: { index: number; sha: string; messageId: string; origin: string }[] = [];
  for (const k of keyed) {
    const copies = known.get(k.messageId) ?? [];
    if (copies.some((c) => c.sha === k.hash)) {
      sightingsOf.push({ index: outcomes.length, sha: k.hash, messageId: k.messageId, origin: k.msg.origin });
      outcomes.push('seen-again');
      continue;
    }
    const first = copies[0];
    // dup_of needs the first copy's row id; when that copy is in this same batch, insert what
    // is pending first so the id exists.
    if (first && first.id === null) await flushInserts(trx, inserts, known);
    const firstId = first ? (known.get(k.messageId)?.[0]?.id ?? null) : null;
    inserts.push(messageRow(source, k.msg, k.messageId, k.hash, firstId, now));
    copies.push({ id: null, sha: k.hash });
    known.set(k.messageId, copies);
    outcomes.push(!k.msg.parsed ? 'quarantined' : first ? 'duplicate-id' : 'stored');
  }
  await flushInserts(trx, inserts, known);
  const sightings = sightingsOf.map((s) => {
    const row = known.get(s.messageId)?.find((c) => c.sha === s.sha);
    return { message_row: row?.id ?? 0, source, origin: s.origin, seen_at: now };
  });
  for (let i = 0; i < sightings.length; i += INSERT_CHUNK)
    await trx
      .insertInto('sightings')
      .values(sightings.slice(i, i + INSERT_CHUNK))
      .execute();
  return outcomes;
}

/** Inserts pending rows and records their new ids in `known`. */
async function flushInserts(
  trx: Transaction<Database> | Kysely<Database>,
  inserts: MessageInsert[],
  known: Map<string, { id: number | null; sha: string }[]>,
): Promise<void> {
  for (let i = 0; i < inserts.length; i += INSERT_CHUNK) {
    const chunk = inserts.slice(i, i + INSERT_CHUNK);
    const rows = await trx.insertInto('messages').values(chunk).returning(['id', 'message_id', 'raw_sha256']).execute();
    for (const r of rows) {
      const c = known.get(r.message_id)?.find((x) => x.sha === r.raw_sha256 && x.id === null);
      if (c) c.id = r.id;
    }
  }
  inserts.length = 0;
}

/** One message: `storeMessages` with a batch of one. */
export async function storeMessage(
  trx: Transaction<Database> | Kysely<Database>,
  source: string,
  msg: IncomingMessage,
  now: string,
): Promise<StoreOutcome> {
  const [outcome] = await storeMessages(trx, source, [msg], now);
  return outcome ?? 'stored';
}

export function countOutcome(counts: StoreCounts, outcome: StoreOutcome): void {
  if (outcome === 'stored') counts.stored++;
  else if (outcome === 'quarantined') counts.quarantined++;
  else if (outcome === 'duplicate-id') counts.duplicateIds++;
  else counts.seenAgain++;
}

export interface MessageRow {
  id: number;
  messageId: string;
  raw: Buffer;
  status: string;
  quarantineReason: string | null;
  dupOf: number | null;
}

/** The first stored copy of a Message-ID (duplicates are kept but not preferred). */
export async function getMessageRaw(db: Kysely<Database>, messageId: string): Promise<Buffer | null> {
  const row = await db
    .selectFrom('messages')
    .select('raw')
    .where('message_id', '=', messageId)
    .where('dup_of', 'is', null)
    .orderBy('id')
    .executeTakeFirst();
  return row ? Buffer.from(row.raw) : null;
}

/**
 * Parsed messages for series assembly. Patches come whole; a reply's body is replaced by the
 * trailer lines it gave (see storeMessage), which is all assembly reads from it.
 */
export async function loadParsedForAssembly(
  db: Kysely<Database>,
  where?: { messageIds?: string[] },
): Promise<ParsedMessage[]> {
  let q = db
    .selectFrom('messages')
    .select(['parsed', 'followups'])
    .where('status', '=', 'ok')
    .where('dup_of', 'is', null);
  if (where?.messageIds) q = q.where('message_id', 'in', where.messageIds.length ? where.messageIds : ['']);
  const out: ParsedMessage[] = [];
  // Streamed: holding every row's JSON text and its parse at once doubles peak memory.
  for await (const r of q.orderBy('id').stream(200)) {
    if (!r.parsed) continue;
    const m = JSON.parse(r.parsed) as ParsedMessage; // our own JSON, written by storeMessage
    if (m.diff && !m.subject.isReply) {
      // Assembly only compares patches' diffs by hash; keeping 50 MB of diff text would double
      // peak memory. A reply keeps its diff: the trailers it gives may follow it.
      m.diffHash = patchworkHash(m.diff);
      m.diff = '';
    }
    if (m.body === '' && m.diff === null && !(m.subject.isPatch && !m.subject.isReply)) {
      // The reply's text was not kept (messageRow): the trailers it gives (found in all of it) stand for it.
      m.body = r.followups ? followupTrailerText(JSON.parse(r.followups) as Trailer[]) : '';
      m.notes = null;
    }
    out.push(m);
  }
  return out;
}

export interface MessageCounts {
  total: number;
  ok: number;
  quarantined: number;
  duplicateIds: number;
  sightings: number;
  distinctIds: number;
}

export async function messageCounts(db: Kysely<Database>): Promise<MessageCounts> {
  const r = await db
    .selectFrom('messages')
    .select([
      sql<number>`count(*)`.as('total'),
      sql<number>`sum(case when status = 'ok' then 1 else 0 end)`.as('ok'),
      sql<number>`sum(case when status = 'quarantined' then 1 else 0 end)`.as('quarantined'),
      sql<number>`sum(case when dup_of is not null then 1 else 0 end)`.as('dups'),
      sql<number>`count(distinct message_id)`.as('distinct_ids'),
    ])
    .executeTakeFirstOrThrow();
  const s = await db
    .selectFrom('sightings')
    .select(sql<number>`count(*)`.as('n'))
    .executeTakeFirstOrThrow();
  return {
    total: Number(r.total),
    ok: Number(r.ok ?? 0),
    quarantined: Number(r.quarantined ?? 0),
    duplicateIds: Number(r.dups ?? 0),
    sightings: Number(s.n),
    distinctIds: Number(r.distinct_ids),
  };
}

export async function quarantineReasons(db: Kysely<Database>): Promise<{ reason: string; count: number }[]> {
  const rows = await db
    .selectFrom('messages')
    .select(['quarantine_reason', sql<number>`count(*)`.as('n')])
    .where('status', '=', 'quarantined')
    .groupBy('quarantine_reason')
    .execute();
  return rows.map((r) => ({ reason: r.quarantine_reason ?? '?', count: Number(r.n) }));
}

/** Message-IDs delivered more than once (kept copies plus identical re-sightings). */
export async function duplicateDeliveries(
  db: Kysely<Database>,
): Promise<{ messageId: string; copies: number; distinctBytes: number }[]> {
  const rows = await db
    .selectFrom('messages as m')
    .leftJoin('sightings as s', 's.message_row', 'm.id')
    .select(['m.message_id', sql<number>`count(distinct m.id)`.as('kept'), sql<number>`count(s.id)`.as('seen')])
    .groupBy('m.message_id')
    .having(sql`count(distinct m.id) + count(s.id)`, '>', 1)
    .execute();
  return rows.map((r) => ({
    messageId: r.message_id,
    copies: Number(r.kept) + Number(r.seen),
    distinctBytes: Number(r.kept),
  }));
}

/**
 * When each message was stored, or seen again, from a source whose name starts with `prefix`
 * (an explicit `ingest --mbox` import is stored under "mbox:<path>", see queue/since-window.ts).
 */
export async function sourceDeliveries(
  db: Kysely<Database> | Transaction<Database>,
  prefix: string,
): Promise<{ messageId: string; source: string; at: string }[]> {
  const like = `${prefix}%`;
  const stored = await db
    .selectFrom('messages')
    .select(['message_id as messageId', 'source', 'received_at as at'])
    .where('source', 'like', like)
    .execute();
  const seen = await db
    .selectFrom('sightings')
    .innerJoin('messages', 'messages.id', 'sightings.message_row')
    .select(['messages.message_id as messageId', 'sightings.source as source', 'sightings.seen_at as at'])
    .where('sightings.source', 'like', like)
    .execute();
  return [...stored, ...seen];
}

/** The In-Reply-To of a stored message; null when it has none or is not stored. */
export async function inReplyToOf(db: Kysely<Database>, messageId: string): Promise<string | null> {
  const r = await db
    .selectFrom('messages')
    .select('in_reply_to')
    .where('message_id', '=', messageId)
    .executeTakeFirst();
  return r?.in_reply_to ?? null;
}
