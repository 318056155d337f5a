/**
 * `daxbot ingest`: polls the configured sources, or imports one mbox/mboxrd/maildir, into the
 * store, then assembles series and prints the counts.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { IngestReport } from '../intake/ingest.ts';
import type { ParsePool } from '../intake/parse-pool.ts';
import type { Store } from '../store/store.ts';
import type { CliContext } from './context.ts';
import { nonNegativeInt } from './options.ts';
import { jsonLine } from './output.ts';

interface IngestOptions {
  mbox?: string;
  source?: string[];
  json?: boolean;
  parseWorkers: number;
}

/** Progress for long imports, on stderr so stdout stays parseable. */
function progressPrinter(label: string): (done: number) => void {
  const started = Date.now();
  let last = 0;
  return (done) => {
    if (done - last < 2000) return;
    last = done;
    const rate = Math.round(done / Math.max(0.001, (Date.now() - started) / 1000));
    process.stderr.write(`${label}: ${done} messages (${rate}/s)\n`);
  };
}

async function importMbox(file: string, store: Store, ctx: CliContext, pool?: ParsePool): Promise<IngestReport> {
  const { ingestSource } = await import('../intake/ingest.ts');
  const { realIngestDeps } = await import('../intake/run-ingest.ts');
  const { createMboxSource } = await import('../../ingest/sources/mbox/index.ts');
  const { importSourceName } = await import('../queue/since-window.ts');
  const path = resolve(file);
  // The source name marks the mail as a maintainer's explicit import: `run --since` measures
  // its window on the import time for it, not on the Date headers (since-window.ts).
  const source = createMboxSource({ kind: 'mbox', name: importSourceName(path), path, schedule: '*/10 * * * *' });
  try {
    return await ingestSource(source, realIngestDeps(store, ctx.log, pool ? { pool } : {}), {
      progress: progressPrinter(`ingest ${path}`),
    });
  } finally {
    await source.close();
  }
}

async function ingestReports(opts: IngestOptions, store: Store, ctx: CliContext): Promise<IngestReport[]> {
  const { createParsePool } = await import('../intake/parse-pool.ts');
  const pool = opts.parseWorkers > 0 ? createParsePool(opts.parseWorkers) : undefined;
  try {
    if (opts.mbox) return [await importMbox(opts.mbox, store, ctx, pool)];
    const { ingestConfiguredSources } = await import('../intake/run-ingest.ts');
    return await ingestConfiguredSources(await ctx.config(), store, ctx.log, {
      only: opts.source,
      baseDir: ctx.configDir(),
      ...(pool ? { pool } : {}),
    });
  } finally {
    await pool?.close();
  }
}

function sum(reports: IngestReport[], key: 'messages' | 'stored' | 'quarantined' | 'duplicateIds' | 'seenAgain') {
  return reports.reduce((n, r) => n + r[key], 0);
}

export function registerIngestCommand(program: Command, ctx: CliContext): void {
  program
    .command('ingest')
    .description('poll the configured sources (or import one mbox/mboxrd/maildir) into the store, then assemble series')
    .option(
      '--mbox <file>',
      'import this mbox or mboxrd file (gzip allowed) or maildir folder instead of the configured sources',
    )
    .option('--source <name...>', 'only these configured sources')
    .option('--json', 'print the counts as one JSON object')
    .option(
      '--parse-workers <n>',
      'worker threads that parse mail while the main thread stores (0: inline)',
      nonNegativeInt,
      0,
    )
    .action(async (opts: IngestOptions) => {
      const store = await ctx.store();
      const started = Date.now();
      const reports = await ingestReports(opts, store, ctx);
      const { refreshSeries } = await import('../intake/refresh-series.ts');
      const { messageCounts } = await import('../store/messages.ts');
      const series = await refreshSeries(store, { now: new Date(), log: ctx.log });
      const totals = await messageCounts(store.db);
      const seconds = (Date.now() - started) / 1000;
      const read = sum(reports, 'messages');
      const summary = {
        read,
        stored: sum(reports, 'stored'),
        quarantined: sum(reports, 'quarantined'),
        duplicateIds: sum(reports, 'duplicateIds'),
        seenAgain: sum(reports, 'seenAgain'),
        seconds: Number(seconds.toFixed(2)),
        messagesPerSecond: Math.round(read / Math.max(seconds, 0.001)),
        // Peak resident memory of this process so far (the bench reads it from --json).
        maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
        store: totals,
        series,
      };
      if (opts.json) {
        ctx.out(jsonLine(summary));
        return;
      }
      for (const r of reports)
        ctx.out(
          `${r.source}: read ${r.messages}, stored ${r.stored}, quarantined ${r.quarantined}, duplicate Message-IDs ${r.duplicateIds}, seen again ${r.seenAgain}`,
        );
      ctx.out(
        `store: ${totals.total} messages (${totals.ok} parsed, ${totals.quarantined} quarantined, ${totals.duplicateIds} duplicate Message-IDs)`,
      );
      ctx.out(
        `series: ${series.threads} threads with patches, ${series.series} series, ${series.versions} versions (${series.complete} complete); ` +
          `${series.inserted} new, ${series.updated} updated`,
      );
      ctx.out(`time: ${summary.seconds} s (${summary.messagesPerSecond} messages/s)`);
    });
}
