/**
 * Read model of the dashboard's queue page (`/`): the subjects of the queued versions (the recently
 * tested list is the series list's, store/read/series-list.ts). Rows only.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../tables.ts';

/** The subject of each of these versions (those stored). */
export async function versionSubjects(
  db: Kysely<Database>,
  versionKeys: readonly string[],
): Promise<Map<string, string>> {
  const subjects = new Map<string, string>();
  if (versionKeys.length === 0) return subjects;
  const rows = await db
    .selectFrom('series_versions')
    .select(['version_key', 'subject'])
    .where('version_key', 'in', [...versionKeys])
    .execute();
  for (const r of rows) subjects.set(r.version_key, r.subject);
  return subjects;
}
