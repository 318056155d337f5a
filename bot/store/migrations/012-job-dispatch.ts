import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';

/**
 * A new series version is dispatched once per runner, however many processes enqueue it at the
 * same moment (a fleet on PostgreSQL): `(version_key, runner)` is unique among 'new-series' jobs,
 * and enqueueing is an insert that skips a conflict. Re-runs are not limited (each is asked for).
 * Duplicates a race left before are kept but renamed to trigger 'new-series-duplicate', so the
 * index can exist and their history stays.
 */
export function up012(_dialect: Dialect) {
  return async (db: Kysely<unknown>): Promise<void> => {
    await sql`UPDATE jobs SET trigger = 'new-series-duplicate' WHERE trigger = 'new-series' AND id > (
      SELECT min(f.id) FROM jobs f WHERE f.trigger = 'new-series' AND f.version_key = jobs.version_key
      AND f.runner = jobs.runner)`.execute(db);
    await sql`CREATE UNIQUE INDEX IF NOT EXISTS jobs_new_series ON jobs (version_key, runner) WHERE trigger = 'new-series'`.execute(
      db,
    );
  };
}
