/**
 * Replies: written here before they are sent (state 'pending'), marked 'sent' afterwards in the
 * same transaction as the job's state change. Message-IDs are deterministic, so a restart finds
 * the row it already wrote instead of composing a second mail. A delivery that fails is recorded
 * on its reply (attempts, last error, next attempt) and retried later, or marked 'failed'.
 */
import type { Kysely, Transaction } from 'kysely';
import { StoreError } from '../errors.ts';
import type { Database } from './tables.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface ReplyRow {
  id: number;
  messageId: string;
  versionKey: string | null;
  jobId: number | null;
  groupId: number | null;
  kind: string;
  digest: string;
  outcome: string;
  mailed: boolean;
  state: string;
  subject: string;
  recipients: string[];
  raw: string;
  deliveryId: string | null;
  createdAt: string;
  sentAt: string | null;
  /** Failed delivery attempts so far. */
  attempts: number;
  lastError: string | null;
  /** Held back until then after a failed attempt; null: due now. */
  nextAttemptAt: string | null;
}

export interface NewReply {
  messageId: string;
  versionKey: string | null;
  jobId: number | null;
  /** The job group a combined result reply covers: at most one reply per group. */
  groupId?: number;
  kind: 'result' | 'command';
  digest: string;
  outcome: string;
  mailed: boolean;
  subject: string;
  recipients: string[];
  raw: string;
}

/** Inserts the reply unless its Message-ID is already recorded; returns the stored row. */
export async function ensureReply(db: Db, r: NewReply, now: string): Promise<ReplyRow> {
  return (await claimReply(db, r, now)).row;
}

/**
 * Inserts the reply unless its Message-ID (or, for a group reply, its group) is already
 * recorded. `inserted` tells the one caller whose row went in: that caller owns sending it.
 */
export async function claimReply(db: Db, r: NewReply, now: string): Promise<{ row: ReplyRow; inserted: boolean }> {
  const res = await db
    .insertInto('replies')
    .values({
      message_id: r.messageId,
      version_key: r.versionKey,
      job_id: r.jobId,
      group_id: r.groupId ?? null,
      kind: r.kind,
      digest: r.digest,
      outcome: r.outcome,
      mailed: r.mailed ? 1 : 0,
      state: r.mailed ? 'pending' : 'recorded',
      subject: r.subject,
      recipients: JSON.stringify(r.recipients),
      raw: r.raw,
      delivery_id: null,
      created_at: now,
      sent_at: null,
      attempts: 0,
      last_error: null,
      next_attempt_at: null,
    })
    // No conflict target: a clash on the Message-ID or on the group both leave the first row.
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst();
  const inserted = Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
  const row = (await getReply(db, r.messageId)) ?? (r.groupId !== undefined ? await groupReply(db, r.groupId) : null);
  if (!row) throw new StoreError(`reply ${r.messageId} vanished after insert`, { messageId: r.messageId });
  return { row, inserted };
}

/** The result reply of a job group, if one was recorded. */
export async function groupReply(db: Db, groupId: number): Promise<ReplyRow | null> {
  const r = await db.selectFrom('replies').select('message_id').where('group_id', '=', groupId).executeTakeFirst();
  return r ? getReply(db, r.message_id) : null;
}

export async function getReply(db: Db, messageId: string): Promise<ReplyRow | null> {
  const r = await db.selectFrom('replies').selectAll().where('message_id', '=', messageId).executeTakeFirst();
  if (!r) return null;
  const recipients: unknown = JSON.parse(r.recipients);
  return {
    id: r.id,
    messageId: r.message_id,
    versionKey: r.version_key,
    jobId: r.job_id,
    groupId: r.group_id,
    kind: r.kind,
    digest: r.digest,
    outcome: r.outcome,
    mailed: r.mailed === 1,
    state: r.state,
    subject: r.subject,
    recipients: Array.isArray(recipients) ? recipients.filter((x): x is string => typeof x === 'string') : [],
    raw: r.raw,
    deliveryId: r.delivery_id,
    createdAt: r.created_at,
    sentAt: r.sent_at,
    attempts: r.attempts,
    lastError: r.last_error,
    nextAttemptAt: r.next_attempt_at,
  };
}

export async function markReplySent(db: Db, messageId: string, deliveryId: string, now: string): Promise<void> {
  await db
    .updateTable('replies')
    .set({ state: 'sent', delivery_id: deliveryId, sent_at: now, next_attempt_at: null })
    .where('message_id', '=', messageId)
    .execute();
}

export interface DeliveryFailure {
  /** Failed attempts including this one. */
  attempts: number;
  error: string;
  /** When to try again; ignored when `failed`. */
  nextAttemptAt: string | null;
  /** Given up: the reply is never retried automatically. */
  failed: boolean;
}

/**
 * Records a failed delivery attempt. Only a reply still pending is touched: one withdrawn
 * meanwhile (#daxbot invalid sets it back to 'recorded') stays withdrawn.
 */
export async function recordDeliveryFailure(db: Db, messageId: string, f: DeliveryFailure): Promise<void> {
  await db
    .updateTable('replies')
    .set({
      attempts: f.attempts,
      last_error: f.error,
      next_attempt_at: f.failed ? null : f.nextAttemptAt,
      ...(f.failed && { state: 'failed' }),
    })
    .where('message_id', '=', messageId)
    .where('state', '=', 'pending')
    .execute();
}

/**
 * The replies of these rows' Message-IDs in the rows' order, read one at a time; a reply gone
 * since the rows were selected is left out.
 */
async function readReplies(db: Db, rows: readonly { message_id: string }[]): Promise<ReplyRow[]> {
  const out: ReplyRow[] = [];
  for (const r of rows) {
    const row = await getReply(db, r.message_id);
    if (row) out.push(row);
  }
  return out;
}

/** Replies whose delivery failed: given up ('failed'), or pending with failed attempts. Oldest first. */
export async function undeliveredReplies(db: Db): Promise<ReplyRow[]> {
  const rows = await db
    .selectFrom('replies')
    .select('message_id')
    .where((eb) => eb.or([eb('state', '=', 'failed'), eb.and([eb('state', '=', 'pending'), eb('attempts', '>', 0)])]))
    .orderBy('id')
    .execute();
  return readReplies(db, rows);
}

/** Result replies of a version, oldest first (mailed or only recorded). */
export async function versionReplies(db: Db, versionKey: string): Promise<ReplyRow[]> {
  const rows = await db
    .selectFrom('replies')
    .select('message_id')
    .where('version_key', '=', versionKey)
    .where('kind', '=', 'result')
    .orderBy('id')
    .execute();
  return readReplies(db, rows);
}

/** Replies waiting to be sent; with `dueAt`, only those whose backoff has passed by then. */
export async function pendingReplies(db: Db, opts: { dueAt?: string } = {}): Promise<ReplyRow[]> {
  let q = db.selectFrom('replies').select('message_id').where('state', '=', 'pending');
  const due = opts.dueAt;
  if (due !== undefined)
    q = q.where((eb) => eb.or([eb('next_attempt_at', 'is', null), eb('next_attempt_at', '<=', due)]));
  const rows = await q.orderBy('id').execute();
  return readReplies(db, rows);
}

export async function countReplies(db: Db, where: { versionKey?: string; state?: string } = {}): Promise<number> {
  let q = db.selectFrom('replies').select((eb) => eb.fn.countAll<number>().as('n'));
  if (where.versionKey) q = q.where('version_key', '=', where.versionKey);
  if (where.state) q = q.where('state', '=', where.state);
  const r = await q.executeTakeFirstOrThrow();
  return Number(r.n);
}

/** The version one of our own replies was about, or null when the Message-ID is not ours. */
export async function replyVersionKey(db: Db, messageId: string): Promise<string | null> {
  const r = await db.selectFrom('replies').select('version_key').where('message_id', '=', messageId).executeTakeFirst();
  return r?.version_key ?? null;
}
