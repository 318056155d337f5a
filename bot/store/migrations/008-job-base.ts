import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';

/**
 * Where a job's series is tested, as base discovery found it (bot/jobs/base-discovery.ts): the
 * tree, the base, how it was found, whether that is certain, and every attempt, as JSON. Null
 * until the job has looked; kept so a restarted job does not look again and so status, the
 * dashboard and `series show` can show the attempts (also of a series with no base at all).
 */
export function up008(_dialect: Dialect) {
  return async (db: Kysely<unknown>): Promise<void> => {
    await db.schema.alterTable('jobs').addColumn('base', 'text').execute();
  };
}
