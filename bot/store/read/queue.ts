/**
 * Read models of the dashboard's queue page (`/`): the subjects of the queued versions and the
 * newest versions with their jobs. Rows only; dashboard/queue-data.ts shapes them into the view.
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

export interface RecentVersionRow {
  version_key: string;
  subject: string;
  revision: number;
  author: string;
  last_date: string | null;
  complete: number;
  present: number;
  expected: number;
}

export interface RecentJobRow {
  id: number;
  version_key: string;
  group_id: number | null;
  runner: string;
  state: string;
  outcome: string | null;
  summary: string | null;
}

/** The newest `limit` versions, newest first, and every job of theirs (oldest first). */
export async function recentVersions(
  db: Kysely<Database>,
  limit: number,
): Promise<{ versions: RecentVersionRow[]; jobs: RecentJobRow[] }> {
  const versions = await db
    .selectFrom('series_versions')
    .select(['version_key', 'subject', 'revision', 'author', 'last_date', 'complete', 'present', 'expected'])
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  if (versions.length === 0) return { versions, jobs: [] };
  const jobs = await db
    .selectFrom('jobs')
    .select(['id', 'version_key', 'group_id', 'runner', 'state', 'outcome', 'summary'])
    .where(
      'version_key',
      'in',
      versions.map((r) => r.version_key),
    )
    .orderBy('id')
    .execute();
  return { versions, jobs };
}
