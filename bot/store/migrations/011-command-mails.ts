import { sql, type ColumnDefinitionBuilder, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';

/**
 * One row per mail the command intake looked at (`#daxbot` in its bytes), whatever became of it:
 * 'answered' (one answer mail for all its commands), 'recorded' (its commands are recorded but
 * not answered: refusals to a sender neither verified nor on the thread, or a From without a
 * usable address), 'ignored' (commands in the bot's own name), 'none' (no command line in it,
 * only a mention of "#daxbot") or 'failed' (with the reason; retried a few times). The intake
 * skips mails that have a final row, and the row is inserted first in the transaction that
 * handles the mail, so two processes of a fleet never handle one mail twice. Mails handled
 * before this table existed (their first command line recorded as "<message-id>/1") get an
 * 'answered' row.
 */
export function up011(dialect: Dialect) {
  return async (db: Kysely<unknown>): Promise<void> => {
    const pk = dialect === 'postgres' ? 'serial' : 'integer';
    const id = (c: ColumnDefinitionBuilder): ColumnDefinitionBuilder =>
      dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement();
    await db.schema
      .createTable('command_mails')
      .ifNotExists()
      .addColumn('id', pk, id)
      .addColumn('message_id', 'text', (c) => c.notNull().unique())
      .addColumn('from_address', 'text')
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('reason', 'text')
      .addColumn('commands', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('reply_message_id', 'text')
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('command_mails_state').ifNotExists().on('command_mails').column('state').execute();
    await sql`INSERT INTO command_mails (message_id, from_address, state, commands, reply_message_id, attempts,
        created_at, updated_at)
      SELECT substr(message_id, 1, length(message_id) - 2), from_address, 'answered', 1, reply_message_id, 0,
        created_at, created_at
      FROM commands WHERE message_id LIKE '%/1'
      ON CONFLICT (message_id) DO NOTHING`.execute(db);
  };
}
