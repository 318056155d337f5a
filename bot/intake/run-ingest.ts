/**
 * Wires the real parser and sources into the ingest driver: what `daxbot ingest` and
 * `daxbot run` call.
 */
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Store } from '../store/store.ts';
import type { Config, SourceConfig } from '../../config/schema.ts';
import { ingestSource, type IngestDeps, type IngestReport } from './ingest.ts';
import { parseMessage } from '../../ingest/parse/message.ts';
import { findFollowupTrailers, replyText } from '../../ingest/series/followup-trailers.ts';
import type { ParsePool } from './parse-pool.ts';
import { createSource } from '../../ingest/sources/registry.ts';
import type { SourceContext } from '../../ingest/sources/types.ts';

export function realIngestDeps(
  store: Store,
  log: Logger,
  opts: { now?: () => Date; pool?: ParsePool } = {},
): IngestDeps {
  return {
    store,
    parse: (raw) => parseMessage(raw),
    followups: (m) => findFollowupTrailers(replyText(m)),
    now: opts.now ?? (() => new Date()),
    log,
    ...(opts.pool ? { parseBatch: opts.pool.parse } : {}),
  };
}

export interface IngestOptions {
  /** Only these source names. */
  only?: string[];
  /** Relative source paths resolve against this folder (the config file's). */
  baseDir?: string;
  /** Parse in these worker threads instead of the main thread. */
  pool?: ParsePool;
  ctx?: Omit<SourceContext, 'log'>;
}

/** Polls every configured source into the store. A failing source is logged and skipped. */
export async function ingestConfiguredSources(
  config: Config,
  store: Store,
  log: Logger,
  opts: IngestOptions = {},
): Promise<IngestReport[]> {
  const reports: IngestReport[] = [];
  for (const sc of config.sources) {
    if (opts.only && !opts.only.includes(sc.name)) continue;
    reports.push(await ingestOne(sc, store, log, opts));
  }
  return reports;
}

export async function ingestOne(
  sc: SourceConfig,
  store: Store,
  log: Logger,
  opts: IngestOptions = {},
): Promise<IngestReport> {
  const source = await createSource(sc, { baseDir: opts.baseDir ?? process.cwd(), cacheDir: resolve('var/cache') });
  try {
    return await ingestSource(source, realIngestDeps(store, log, opts.pool ? { pool: opts.pool } : {}), opts.ctx);
  } finally {
    await source.close?.();
  }
}
