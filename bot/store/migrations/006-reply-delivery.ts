import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';

/**
 * Delivery bookkeeping on each reply, so that one mail the server refuses is that reply's
 * problem and not every cycle's: `attempts` counts failed deliveries, `last_error` keeps the
 * last one's reason, `next_attempt_at` holds the reply back until its backoff has passed (null:
 * due now). A reply that keeps being refused ends in state 'failed' instead of being retried
 * forever. Plain ADD COLUMNs with constant defaults, the same on SQLite and PostgreSQL.
 */
export function up006(_dialect: Dialect) {
  return async (db: Kysely<unknown>): Promise<void> => {
    // One column per statement: SQLite's ALTER TABLE adds one at a time.
    await db.schema
      .alterTable('replies')
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema.alterTable('replies').addColumn('last_error', 'text').execute();
    await db.schema.alterTable('replies').addColumn('next_attempt_at', 'text').execute();
    // Every cycle looks for pending replies.
    await db.schema.createIndex('replies_state').on('replies').column('state').execute();
  };
}
