/** Commands found in mail (or given on the CLI) and what was decided about them. */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Dialect } from './dialect.ts';
import type { Database } from './tables.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface CommandRecord {
  messageId: string;
  versionKey: string | null;
  fromAddress: string | null;
  text: string;
  action: string;
  decision: 'accepted' | 'refused';
  reason: string;
  jobId: number | null;
  replyMessageId: string | null;
}

export async function isCommandRecorded(db: Db, messageId: string): Promise<boolean> {
  const r = await db.selectFrom('commands').select('id').where('message_id', '=', messageId).executeTakeFirst();
  return r !== undefined;
}

export async function recordCommand(db: Db, c: CommandRecord, now: string): Promise<void> {
  await db
    .insertInto('commands')
    .values({
      message_id: c.messageId,
      version_key: c.versionKey,
      from_address: c.fromAddress,
      text: c.text,
      action: c.action,
      decision: c.decision,
      reason: c.reason,
      job_id: c.jobId,
      reply_message_id: c.replyMessageId,
      created_at: now,
    })
    .onConflict((oc) => oc.column('message_id').doNothing())
    .execute();
}

export async function listCommands(db: Db): Promise<CommandRecord[]> {
  const rows = await db.selectFrom('commands').selectAll().orderBy('id').execute();
  return rows.map((r) => ({
    messageId: r.message_id,
    versionKey: r.version_key,
    fromAddress: r.from_address,
    text: r.text,
    action: r.action,
    decision: r.decision === 'accepted' ? 'accepted' : 'refused',
    reason: r.reason,
    jobId: r.job_id,
    replyMessageId: r.reply_message_id,
  }));
}

/** When each accepted command about this version was recorded (the re-test budget counts them). */
export async function acceptedCommandTimes(db: Db, versionKey: string): Promise<string[]> {
  const rows = await db
    .selectFrom('commands')
    .select('created_at')
    .where('version_key', '=', versionKey)
    .where('decision', '=', 'accepted')
    .execute();
  return rows.map((r) => r.created_at);
}

export interface CommandMailRow {
  message_id: string;
  raw: Buffer;
  from_address: string | null;
  from_name: string | null;
  subject: string | null;
  in_reply_to: string | null;
  /** Failed attempts to handle it so far (0: never tried). */
  attempts: number;
}

/** A mail whose handling failed this often is left alone (its row keeps the last reason). */
export const COMMAND_MAIL_ATTEMPTS = 3;

/**
 * Stored replies (kept, not duplicates) whose raw bytes hold "#daxbot", in arrival order, that
 * the intake has not handled yet (no row in command_mails, or a failed one with attempts left):
 * the mails that may carry commands. Reply bodies are not kept parsed, so the raw bytes are searched.
 */
export async function commandMailRows(db: Db, dialect: Dialect): Promise<CommandMailRow[]> {
  const rows = await db
    .selectFrom('messages')
    .leftJoin('command_mails', 'command_mails.message_id', 'messages.message_id')
    .select([
      'messages.message_id',
      'messages.raw',
      'messages.from_address',
      'messages.from_name',
      'messages.subject',
      'messages.in_reply_to',
      'command_mails.state',
      'command_mails.attempts',
    ])
    .where('messages.status', '=', 'ok')
    .where('messages.dup_of', 'is', null)
    .where('messages.is_reply', '=', 1)
    .where(
      dialect === 'postgres'
        ? sql<boolean>`position('#daxbot'::bytea in messages.raw) > 0`
        : sql<boolean>`instr(messages.raw, '#daxbot') > 0`,
    )
    .where((eb) =>
      eb.or([
        eb('command_mails.state', 'is', null),
        eb.and([eb('command_mails.state', '=', 'failed'), eb('command_mails.attempts', '<', COMMAND_MAIL_ATTEMPTS)]),
      ]),
    )
    .orderBy('messages.id')
    .execute();
  return rows.map(({ state: _state, attempts, ...r }) => ({ ...r, attempts: attempts ?? 0 }));
}

export type CommandMailState = 'answered' | 'recorded' | 'ignored' | 'none' | 'failed';

export interface CommandMailRecord {
  messageId: string;
  fromAddress: string | null;
  state: CommandMailState;
  reason: string | null;
  commands: number;
  replyMessageId: string | null;
}

/**
 * Records what became of a command mail, as the first write of the transaction that handles it;
 * false when another process already did (then the caller rolls its work back). `attempts` is what
 * the caller read: a failed row is taken over only if nobody has touched it since.
 */
export async function claimCommandMail(
  trx: Transaction<Database>,
  m: CommandMailRecord,
  attempts: number,
  now: string,
): Promise<boolean> {
  const values = {
    from_address: m.fromAddress,
    state: m.state,
    reason: m.reason,
    commands: m.commands,
    reply_message_id: m.replyMessageId,
    updated_at: now,
  };
  if (attempts === 0) {
    const r = await trx
      .insertInto('command_mails')
      .values({ message_id: m.messageId, attempts: 0, created_at: now, ...values })
      .onConflict((oc) => oc.column('message_id').doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
  }
  const r = await trx
    .updateTable('command_mails')
    .set(values)
    .where('message_id', '=', m.messageId)
    .where('state', '=', 'failed')
    .where('attempts', '=', attempts)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Changes the record of a mail this transaction claimed (an answer that could not be built). */
export async function setCommandMailState(
  trx: Transaction<Database>,
  messageId: string,
  u: { state: CommandMailState; reason: string | null; replyMessageId: string | null },
  now: string,
): Promise<void> {
  await trx
    .updateTable('command_mails')
    .set({ state: u.state, reason: u.reason, reply_message_id: u.replyMessageId, updated_at: now })
    .where('message_id', '=', messageId)
    .execute();
}

/** A failed attempt to handle the mail, with the reason; a mail handled meanwhile keeps its record. */
export async function recordCommandMailFailure(
  db: Db,
  m: { messageId: string; fromAddress: string | null; reason: string },
  now: string,
): Promise<void> {
  await db
    .insertInto('command_mails')
    .values({
      message_id: m.messageId,
      from_address: m.fromAddress,
      state: 'failed',
      reason: m.reason,
      commands: 0,
      reply_message_id: null,
      attempts: 1,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) =>
      oc
        .column('message_id')
        .doUpdateSet((eb) => ({
          reason: m.reason,
          attempts: eb('command_mails.attempts', '+', 1),
          updated_at: now,
        }))
        .where('command_mails.state', '=', 'failed'),
    )
    .execute();
}

export interface CommandMailView {
  messageId: string;
  fromAddress: string | null;
  state: string;
  reason: string | null;
  commands: number;
  attempts: number;
  updatedAt: string;
}

/** Command mails with commands that got no answer (recorded, ignored or failed), newest first. */
export async function unansweredCommandMails(db: Db, limit = 20): Promise<CommandMailView[]> {
  const rows = await db
    .selectFrom('command_mails')
    .selectAll()
    .where('state', 'not in', ['answered', 'none'])
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    messageId: r.message_id,
    fromAddress: r.from_address,
    state: r.state,
    reason: r.reason,
    commands: r.commands,
    attempts: r.attempts,
    updatedAt: r.updated_at,
  }));
}
