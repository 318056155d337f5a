/** Commands found in mail (or given on the CLI) and what was decided about them. */
import type { Kysely, Transaction } from 'kysely';
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
