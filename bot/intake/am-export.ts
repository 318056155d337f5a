/**
 * `daxbot series am`: picks the version to export and renders it as an am-ready mbox from the
 * stored raw messages.
 */
import { getMessageRaw } from '../store/messages.ts';
import { findSeriesVersions, type SeriesVersionRow } from '../store/series.ts';
import type { Store } from '../store/store.ts';
import { NotFoundError } from '../errors.ts';
import type { SeriesVersion } from '../../ingest/series/types.ts';
import { renderAmMbox } from '../../ingest/series/am-mbox.ts';
import { chooseAmVersion } from '../../ingest/series/am-choice.ts';

/** The newest version, complete or not, as b4 picks it (series/am-choice.ts), or exactly revision `revision`. */
export function pickVersion(rows: readonly SeriesVersionRow[], revision?: number): SeriesVersionRow | null {
  const view = (r: SeriesVersionRow) => ({
    revision: r.revision,
    complete: r.complete === 1,
    lastDate: r.last_date,
    order: r.id,
  });
  return chooseAmVersion(rows, view, revision);
}

export async function exportAmMbox(store: Store, versionKey: string): Promise<Buffer> {
  const rows = await findSeriesVersions(store.db, versionKey);
  const row = rows.find((r) => r.version_key === versionKey);
  if (!row) throw new NotFoundError(`no series version ${versionKey}`, { versionKey });
  const version = JSON.parse(row.data) as SeriesVersion; // written by saveSeriesVersions
  const raws = new Map<string, Buffer>();
  for (const p of version.patches) {
    const raw = await getMessageRaw(store.db, p.messageId);
    if (!raw)
      throw new NotFoundError(`message ${p.messageId} of ${versionKey} is not in the store`, {
        versionKey,
        messageId: p.messageId,
      });
    raws.set(p.messageId, raw);
  }
  return renderAmMbox(version, raws);
}
