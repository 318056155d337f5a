import type { Kysely } from 'kysely';
import type { SeriesVersion } from '../../ingest/series/types.ts';
import type { Database, SeriesVersionsTable } from './tables.ts';

/**
 * The fields of an assembled series version the store indexes; the whole object is kept as JSON.
 * Patches stay opaque here: the store never looks inside them.
 */
export type StorableSeriesVersion = Pick<
  SeriesVersion,
  | 'key'
  | 'seriesKey'
  | 'revision'
  | 'project'
  | 'subject'
  | 'rootMessageId'
  | 'coverMessageId'
  | 'threadRootId'
  | 'author'
  | 'expected'
  | 'complete'
  | 'baseCommit'
  | 'firstDate'
  | 'lastDate'
> & { patches: unknown[] };

export interface SeriesSaveCounts {
  inserted: number;
  updated: number;
  unchanged: number;
}

/** Upserts assembled versions by key; a version whose JSON did not change is not touched. */
export async function saveSeriesVersions(
  db: Kysely<Database>,
  versions: StorableSeriesVersion[],
  now: string,
): Promise<SeriesSaveCounts> {
  const counts: SeriesSaveCounts = { inserted: 0, updated: 0, unchanged: 0 };
  const existing = new Map<string, string>();
  for (const r of await db.selectFrom('series_versions').select(['version_key', 'data']).execute())
    existing.set(r.version_key, r.data);
  await db.transaction().execute(async (trx) => {
    for (const v of versions) {
      const data = JSON.stringify(v);
      const row = {
        series_key: v.seriesKey,
        revision: v.revision,
        project: v.project,
        subject: v.subject,
        root_message_id: v.rootMessageId,
        cover_message_id: v.coverMessageId,
        thread_root_id: v.threadRootId,
        author: v.author.name ? `${v.author.name} <${v.author.address}>` : v.author.address,
        expected: v.expected,
        present: v.patches.length,
        complete: v.complete ? 1 : 0,
        has_cover: v.coverMessageId ? 1 : 0,
        base_commit: v.baseCommit,
        first_date: v.firstDate,
        last_date: v.lastDate,
        data,
        updated_at: now,
      };
      const old = existing.get(v.key);
      if (old === undefined) {
        await trx
          .insertInto('series_versions')
          .values({ version_key: v.key, created_at: now, ...row })
          .execute();
        counts.inserted++;
      } else if (old !== data) {
        await trx.updateTable('series_versions').set(row).where('version_key', '=', v.key).execute();
        counts.updated++;
      } else counts.unchanged++;
    }
  });
  return counts;
}

export type SeriesVersionRow = Omit<SeriesVersionsTable, 'id' | 'created_at'> & { id: number; created_at: string };

export async function listSeriesVersions(db: Kysely<Database>): Promise<SeriesVersionRow[]> {
  return db.selectFrom('series_versions').selectAll().orderBy('first_date').orderBy('id').execute();
}

/** By numeric id, version key, or any Message-ID of the version (root, cover or a patch). */
export async function findSeriesVersions(db: Kysely<Database>, ref: string): Promise<SeriesVersionRow[]> {
  const clean = ref.replace(/^<|>$/g, '');
  if (/^\d+$/.test(clean))
    return db.selectFrom('series_versions').selectAll().where('id', '=', Number(clean)).execute();
  const direct = await db
    .selectFrom('series_versions')
    .selectAll()
    .where((eb) =>
      eb.or([
        eb('version_key', '=', clean),
        eb('root_message_id', '=', clean),
        eb('cover_message_id', '=', clean),
        eb('thread_root_id', '=', clean),
      ]),
    )
    .execute();
  if (direct.length > 0) return direct;
  // A patch's own Message-ID: look inside the stored JSON (rare path, a full scan is fine).
  const all = await db.selectFrom('series_versions').selectAll().execute();
  return all.filter((r) => r.data.includes(`"${clean}"`));
}
