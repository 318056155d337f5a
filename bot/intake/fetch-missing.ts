/**
 * Completes partial series from lore's archive of all lists (config `allLists`). The pure plan
 * (ingest/series/fetch-missing.ts) says which threads to fetch; the lore-http client fetches each
 * one by Message-ID; the mails go through the ingest driver as the source `all-lists`, so they are
 * stored like any other mail (origin: the t.mbox.gz URL) and the attempts, kept as that source's
 * checkpoint, are saved in the same transaction. A failed fetch is the archive's problem: it is
 * logged and tried again later, and the series is tested as it is when its wait ends. Series are
 * assembled again when new mail was stored.
 */
import type { Logger } from 'pino';
import { toMs, type Config } from '../../config/schema.ts';
import { ingestSource } from './ingest.ts';
import { refreshSeries } from './refresh-series.ts';
import { realIngestDeps } from './run-ingest.ts';
import {
  fetchAttemptsSchema,
  planMissingFetches,
  recordAttempts,
  type FetchAttempts,
  type FetchPolicy,
  type MissingFetch,
} from '../../ingest/series/fetch-missing.ts';
import type { SeriesVersion } from '../../ingest/series/types.ts';
import { createLoreClient, type LoreHttpDeps } from '../../ingest/sources/lore-http/index.ts';
import type { RawMail, Source, SourceContext } from '../../ingest/sources/types.ts';
import { listSeriesVersions } from '../store/series.ts';
import type { Store } from '../store/store.ts';

/** The source name the fetched mails are stored under. */
export const ALL_LISTS_SOURCE = 'all-lists';

export interface FetchMissingOptions {
  now: Date;
  /** Injected by tests; defaults to global fetch. */
  fetch?: typeof fetch;
  lore?: LoreHttpDeps;
}

export interface FetchMissingReport {
  threads: number;
  stored: number;
}

function parseAttempts(checkpoint: string | null, log: Logger): FetchAttempts {
  if (!checkpoint) return {};
  try {
    return fetchAttemptsSchema.parse(JSON.parse(checkpoint));
  } catch {
    log.warn({ source: ALL_LISTS_SOURCE }, 'unreadable fetch record; starting afresh');
    return {};
  }
}

/** The fetch round as a mail source: one poll fetches what the plan asks for. */
function missingPatchSource(
  config: Config,
  versions: readonly SeriesVersion[],
  policy: FetchPolicy,
  opts: FetchMissingOptions,
  report: FetchMissingReport,
): Source {
  const client = createLoreClient(
    { name: ALL_LISTS_SOURCE, url: config.allLists.url, maxDelayMs: 60_000 },
    // One retry at most: the pipeline cycle waits for this, and the plan tries again later.
    { maxAttempts: 2, ...opts.lore },
  );
  return {
    name: ALL_LISTS_SOURCE,
    kind: 'lore-http',
    async poll(checkpoint, ctx) {
      const attempts = parseAttempts(checkpoint, ctx.log);
      const plan = planMissingFetches(versions, attempts, opts.now, policy);
      const messages: RawMail[] = [];
      const done: { fetch: MissingFetch; ok: boolean }[] = [];
      for (const f of plan) {
        const mails = await fetchOne(client, f, ctx);
        done.push({ fetch: f, ok: mails !== null });
        messages.push(...(mails ?? []));
      }
      report.threads = plan.length;
      const next = recordAttempts(attempts, done, versions, opts.now, policy);
      return { messages, nextCheckpoint: JSON.stringify(next), more: false };
    },
  };
}

async function fetchOne(
  client: ReturnType<typeof createLoreClient>,
  f: MissingFetch,
  ctx: SourceContext,
): Promise<RawMail[] | null> {
  try {
    const mails = await client.fetchThread(f.messageId, ctx);
    ctx.log.info(
      { source: ALL_LISTS_SOURCE, thread: f.messageId, versions: f.versionKeys, mails: mails?.length ?? 0 },
      'fetched the thread of a partial series',
    );
    return mails ?? [];
  } catch (err) {
    ctx.log.warn(
      { source: ALL_LISTS_SOURCE, thread: f.messageId, err: (err as Error).message },
      'could not fetch the missing patches; will try again',
    );
    return null;
  }
}

/** One round: fetch what is due, store it, reassemble when something new came. */
export async function fetchMissingPatches(
  store: Store,
  config: Config,
  log: Logger,
  opts: FetchMissingOptions,
): Promise<FetchMissingReport> {
  const report: FetchMissingReport = { threads: 0, stored: 0 };
  if (!config.allLists.fetchMissing) return report;
  const policy: FetchPolicy = {
    delayMs: toMs(config.allLists.fetchDelay),
    windowMs: toMs(config.schedule.incompleteWait),
    maxAttempts: config.allLists.fetchAttempts,
  };
  const versions = (await listSeriesVersions(store.db))
    .filter((r) => r.complete !== 1)
    .map((r) => JSON.parse(r.data) as SeriesVersion); // written by saveSeriesVersions
  const source = missingPatchSource(config, versions, policy, opts, report);
  const ingest = await ingestSource(source, realIngestDeps(store, log, { now: () => opts.now }), {
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
  });
  report.stored = ingest.stored;
  if (ingest.stored > 0) await refreshSeries(store, { now: opts.now, log });
  return report;
}
