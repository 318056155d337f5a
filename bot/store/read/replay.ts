/**
 * Read model of `daxbot replay`: the kernel series versions first posted inside a window, oldest
 * first, as they arrived. Versions of other projects (`[ndctl PATCH]`) and versions without a
 * single patch (a cover letter alone) are not kernel series to apply.
 */
import type { Kysely } from 'kysely';
import type { SeriesVersionRow } from '../series.ts';
import type { Database } from '../tables.ts';

export interface ReplayWindow {
  /** ISO dates; `from` inclusive, `to` exclusive. */
  from: string;
  to: string;
}

export async function replayVersions(db: Kysely<Database>, w: ReplayWindow): Promise<SeriesVersionRow[]> {
  return db
    .selectFrom('series_versions')
    .selectAll()
    .where('project', '=', 'kernel')
    .where('present', '>', 0)
    .where('first_date', '>=', w.from)
    .where('first_date', '<', w.to)
    .orderBy('first_date')
    .orderBy('id')
    .execute();
}
