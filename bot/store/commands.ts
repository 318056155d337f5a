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
}

/**
 * Stored replies (kept, not duplicates) whose raw bytes hold "#daxbot", in arrival order: the
 * mails that may carry commands. Reply bodies are not kept parsed, so the raw bytes are searched.
 */
export async function commandMailRows(db: Db, dialect: Dialect): Promise<CommandMailRow[]> {
  return db
    .selectFrom('messages')
    .select(['message_id', 'raw', 'from_address', 'from_name', 'subject', 'in_reply_to'])
    .where('status', '=', 'ok')
    .where('dup_of', 'is', null)
    .where('is_reply', '=', 1)
    .where(
      dialect === 'postgres'
        ? sql<boolean>`position('#daxbot'::bytea in raw) > 0`
        : sql<boolean>`instr(raw, '#daxbot') > 0`,
    )
    .orderBy('id')
    .execute();
}
