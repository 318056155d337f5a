/**
 * `daxbot replay`: the pipeline over historical mail, one kernel series version at a time in the
 * order they were posted, sending nothing. Apply-only runs base discovery and `git am` alone (no
 * kernel builds: months of traffic in minutes); otherwise each version is queued and run for real
 * (full.ts). A version that fails for any reason becomes a row with outcome `error` and the reason:
 * one bad series never stops the replay.
 */
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { SeriesVersion } from '../../ingest/series/types.ts';
import type { PipelineDeps } from '../deps.ts';
import { errorMessage } from '../../config/errors.ts';
import { replayVersions, type ReplayWindow } from '../store/read/replay.ts';
import { getSeriesVersion } from '../store/series.ts';
import { replayApplyOnly } from './apply-only.ts';
import { replayFull } from './full.ts';
import { replayTotals, versionFields, type ReplayRow, type ReplayTotals } from './types.ts';

export interface ReplayOptions extends ReplayWindow {
  applyOnly: boolean;
  /** Called with each row as soon as it is known (the CLI prints it). */
  onRow?: (row: ReplayRow) => void;
}

function errorRow(version: SeriesVersion, err: unknown, ms: number): ReplayRow {
  return {
    ...versionFields(version),
    tree: null,
    base: null,
    method: null,
    certain: false,
    how: `error: ${errorMessage(err)}`,
    outcome: 'error',
    applied: false,
    wouldMail: false,
    ms,
    discoveryMs: 0,
    amMs: 0,
  };
}

async function replayOne(deps: PipelineDeps, version: SeriesVersion, o: ReplayOptions): Promise<ReplayRow> {
  const started = Date.now();
  const dir = path.join(deps.workDir, 'replay', String(process.pid));
  await mkdir(dir, { recursive: true });
  try {
    return o.applyOnly ? await replayApplyOnly(deps, version, dir) : await replayFull(deps, version);
  } catch (err) {
    deps.log.warn({ series: version.key, err: errorMessage(err) }, 'replay: the version failed');
    return errorRow(version, err, Date.now() - started);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function replay(
  deps: PipelineDeps,
  o: ReplayOptions,
): Promise<{ rows: ReplayRow[]; totals: ReplayTotals }> {
  const started = Date.now();
  const rows: ReplayRow[] = [];
  for (const r of await replayVersions(deps.store.db, o)) {
    if (deps.signal?.aborted) break;
    const version = await getSeriesVersion(deps.store.db, r.version_key);
    if (!version) continue;
    const row = await replayOne(deps, version, o);
    rows.push(row);
    o.onRow?.(row);
  }
  return { rows, totals: replayTotals(rows, Date.now() - started) };
}
