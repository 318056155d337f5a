/**
 * Re-assembles series versions from every stored message and saves what changed. Assembly is
 * pure and fast (the whole nvdimm archive takes well under a second), so a full pass after each
 * ingest is simpler and safer than incremental bookkeeping: late replies, out-of-order patches
 * and rerolls in other threads are all seen together.
 */
import type { Logger } from 'pino';
import { loadParsedForAssembly } from '../store/messages.ts';
import { saveSeriesVersions, type SeriesSaveCounts } from '../store/series.ts';
import type { Store } from '../store/store.ts';
import { assembleSeries } from '../../ingest/series/assemble.ts';
import type { SeriesVersion } from '../../ingest/series/types.ts';

export interface RefreshCounts extends SeriesSaveCounts {
  /** Threads that hold at least one series version. */
  threads: number;
  /** Distinct series (versions linked across threads count once). */
  series: number;
  versions: number;
  complete: number;
}

export async function refreshSeries(store: Store, opts: { now: Date; log: Logger }): Promise<RefreshCounts> {
  const messages = await loadParsedForAssembly(store.db);
  const versions: SeriesVersion[] = assembleSeries(messages, { linkHistory: true });
  const counts = await saveSeriesVersions(store.db, versions, opts.now.toISOString());
  const result: RefreshCounts = {
    ...counts,
    threads: new Set(versions.map((v) => v.threadRootId)).size,
    series: new Set(versions.map((v) => v.seriesKey)).size,
    versions: versions.length,
    complete: versions.filter((v) => v.complete).length,
  };
  opts.log.debug({ messages: messages.length, ...result }, 'series refreshed');
  return result;
}
