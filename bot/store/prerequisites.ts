/**
 * What base discovery asks the store about a series' prerequisites: the series version holding a
 * Message-ID (`prerequisite-message-id:` names the cover letter or a patch of it), and the diffs of
 * the patches posted before a date, newest first (to find the ones a `prerequisite-patch-id:`
 * names by computing their patch ids).
 */
import type { Kysely } from 'kysely';
import type { SeriesVersion } from '../../ingest/series/types.ts';
import type { Database } from './tables.ts';

/** The newest stored series version that holds the message (as cover or patch), or null. */
export async function versionHoldingMessage(db: Kysely<Database>, messageId: string): Promise<SeriesVersion | null> {
  const rows = await db
    .selectFrom('series_versions')
    .select('data')
    .where((eb) =>
      eb.or([
        eb('root_message_id', '=', messageId),
        eb('cover_message_id', '=', messageId),
        // A loose filter (LIKE's _ and % match more), checked on the parsed JSON below.
        eb('data', 'like', `%${JSON.stringify(messageId).slice(1, -1)}%`),
      ]),
    )
    .orderBy('id', 'desc')
    .execute();
  for (const r of rows) {
    const v = JSON.parse(r.data) as SeriesVersion; // written by saveSeriesVersions
    if (v.coverMessageId === messageId || v.patches.some((p) => p.messageId === messageId)) return v;
  }
  return null;
}

/** Patch mails with a diff posted before `before` (all when null), newest first, at most `limit`. */
export async function patchDiffsBefore(
  db: Kysely<Database>,
  before: string | null,
  limit: number,
): Promise<{ messageId: string; diff: string }[]> {
  let q = db
    .selectFrom('messages')
    .select(['message_id', 'parsed'])
    .where('status', '=', 'ok')
    .where('dup_of', 'is', null)
    .where('is_patch', '=', 1)
    .where('is_reply', '=', 0)
    .where('has_diff', '=', 1);
  if (before) q = q.where('date', '<=', before);
  const rows = await q.orderBy('date', 'desc').limit(limit).execute();
  const out: { messageId: string; diff: string }[] = [];
  for (const r of rows) {
    const diff = r.parsed ? (JSON.parse(r.parsed) as { diff?: unknown }).diff : null; // written by storeMessage
    if (typeof diff === 'string' && diff !== '') out.push({ messageId: r.message_id, diff });
  }
  return out;
}
