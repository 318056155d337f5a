import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';

/**
 * Job groups: one series version dispatched to every enabled runner is one group of jobs
 * (`jobs.group_id`, the id of the group's first job; null on older rows means a group of one).
 * A group gets at most one result reply: `replies.group_id` is unique, so when two workers
 * finish the last siblings at the same moment only one reply row can be inserted.
 */
export function up005(_dialect: Dialect) {
  return async (db: Kysely<unknown>): Promise<void> => {
    await db.schema.alterTable('jobs').addColumn('group_id', 'integer').execute();
    await db.schema.createIndex('jobs_group').on('jobs').column('group_id').execute();
    await db.schema.alterTable('replies').addColumn('group_id', 'integer').execute();
    // NULLs never collide (SQLite and PostgreSQL alike): command replies and older rows have none.
    await db.schema.createIndex('replies_group').on('replies').column('group_id').unique().execute();
  };
}
