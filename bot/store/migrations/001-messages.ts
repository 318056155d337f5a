import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';

export function up001(dialect: Dialect) {
  return async (db: Kysely<unknown>): Promise<void> => {
    const bytes = dialect === 'postgres' ? 'bytea' : 'blob';
    const pk = dialect === 'postgres' ? 'serial' : 'integer';
    await db.schema
      .createTable('messages')
      .addColumn('id', pk, (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
      .addColumn('message_id', 'text', (c) => c.notNull())
      .addColumn('dup_of', 'integer')
      .addColumn('raw', bytes, (c) => c.notNull())
      .addColumn('raw_sha256', 'text', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('origin', 'text', (c) => c.notNull())
      .addColumn('received_at', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('quarantine_reason', 'text')
      .addColumn('subject', 'text')
      .addColumn('from_name', 'text')
      .addColumn('from_address', 'text')
      .addColumn('date', 'text')
      .addColumn('in_reply_to', 'text')
      .addColumn('list_id', 'text')
      .addColumn('is_patch', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('is_reply', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('revision', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('counter', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('expected', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('project', 'text')
      .addColumn('has_diff', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('followups', 'text')
      .addColumn('parsed', 'text')
      .execute();
    await db.schema.createIndex('messages_message_id').on('messages').column('message_id').execute();
    await db.schema.createIndex('messages_sha').on('messages').column('raw_sha256').execute();
    await db.schema.createIndex('messages_in_reply_to').on('messages').column('in_reply_to').execute();
    await db.schema
      .createTable('sightings')
      .addColumn('id', pk, (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
      .addColumn('message_row', 'integer', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('origin', 'text', (c) => c.notNull())
      .addColumn('seen_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('checkpoints')
      .addColumn('source', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text')
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
  };
}
