import type { ColumnDefinitionBuilder, Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';

/**
 * What each configured output (a Patchwork instance, a KCIDB submitter) was told about each job:
 * one row per (output, job, event), so a restart or a second worker never posts an event twice
 * on purpose. A post that fails keeps its attempts, last error and next attempt time, like a
 * reply's delivery (migration 006), and ends in state 'failed' when the output gives up.
 * Idempotent: a second run over an existing table changes nothing.
 */
export function up007(dialect: Dialect) {
  return async (db: Kysely<unknown>): Promise<void> => {
    const pk = dialect === 'postgres' ? 'serial' : 'integer';
    const id = (c: ColumnDefinitionBuilder): ColumnDefinitionBuilder =>
      dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement();
    await db.schema
      .createTable('output_posts')
      .ifNotExists()
      .addColumn('id', pk, id)
      .addColumn('output', 'text', (c) => c.notNull())
      .addColumn('job_id', 'integer', (c) => c.notNull())
      .addColumn('event', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('last_error', 'text')
      .addColumn('next_attempt_at', 'text')
      .addColumn('detail', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('sent_at', 'text')
      .addUniqueConstraint('output_posts_once', ['output', 'job_id', 'event'])
      .execute();
    // Every retry pass looks for pending posts.
    await db.schema.createIndex('output_posts_state').ifNotExists().on('output_posts').column('state').execute();
  };
}
