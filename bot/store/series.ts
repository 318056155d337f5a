import type { Kysely, Transaction } from 'kysely';
import type { SeriesVersion } from '../../ingest/series/types.ts';
import type { Database, SeriesVersionsTable } from './tables.ts';

type Db = Kysely<Database> | Transaction<Database>;

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

/** The assembled version as saved (saveSeriesVersions wrote it from a SeriesVersion), or null. */
export async function getSeriesVersion(db: Db, versionKey: string): Promise<SeriesVersion | null> {
  const data = await seriesVersionData(db, versionKey);
  return data === null ? null : (JSON.parse(data) as SeriesVersion);
}

/** The stored JSON of a version, unparsed (callers that check it with their own schema). */
export async function seriesVersionData(db: Db, versionKey: string): Promise<string | null> {
  const row = await db
    .selectFrom('series_versions')
    .select('data')
    .where('version_key', '=', versionKey)
    .executeTakeFirst();
  return row?.data ?? null;
}

/** The series a version belongs to, or null when the version is not stored. */
export async function seriesKeyOf(db: Db, versionKey: string): Promise<string | null> {
  const row = await db
    .selectFrom('series_versions')
    .select('series_key')
    .where('version_key', '=', versionKey)
    .executeTakeFirst();
  return row?.series_key ?? null;
}

export async function isVersionComplete(db: Db, versionKey: string): Promise<boolean> {
  const row = await db
    .selectFrom('series_versions')
    .select('complete')
    .where('version_key', '=', versionKey)
    .executeTakeFirst();
  return row?.complete === 1;
}

/** What enqueueing looks at of every version, oldest first. */
export async function versionsToDispatch(
  db: Db,
): Promise<{ versionKey: string; project: string; lastDate: string | null }[]> {
  const rows = await db
    .selectFrom('series_versions')
    .select(['version_key', 'project', 'last_date', 'first_date'])
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ versionKey: r.version_key, project: r.project, lastDate: r.last_date ?? r.first_date }));
}
