import { resolve } from 'node:path';
import type { Command } from 'commander';
import { ingestSource } from '../intake/ingest.ts';
import { ingestConfiguredSources, realIngestDeps } from '../intake/run-ingest.ts';
import { refreshSeries } from '../intake/refresh-series.ts';
import { createMboxSource } from '../../ingest/sources/mbox/index.ts';
import { createParsePool } from '../intake/parse-pool.ts';
import type { IngestReport } from '../intake/ingest.ts';
import { importSourceName } from '../queue/since-window.ts';
import { messageCounts } from '../store/messages.ts';
import type { CliContext } from './context.ts';

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

export function registerIngestCommand(program: Command, ctx: CliContext): void {
  program
    .command('ingest')
    .description('poll the configured sources (or import one mbox/mboxrd/maildir) into the store, then assemble series')
    .option(
      '--mbox <file>',
      'import this mbox or mboxrd file (gzip allowed) or maildir folder instead of the configured sources',
    )
    .option('--source <name...>', 'only these configured sources')
    .option('--json', 'print the counts as JSON')
    .option(
      '--parse-workers <n>',
      'worker threads that parse mail while the main thread stores (0: parse inline)',
      (v) => Number(v),
      0,
    )
    .action(async (opts: { mbox?: string; source?: string[]; json?: boolean; parseWorkers: number }) => {
      const store = await ctx.store();
      const started = Date.now();
      const reports: IngestReport[] = [];
      const pool = opts.parseWorkers > 0 ? createParsePool(opts.parseWorkers) : undefined;
      try {
        if (opts.mbox) {
          const path = resolve(opts.mbox);
          // The source name marks the mail as a maintainer's explicit import: `run --since` measures
          // its window on the import time for it, not on the Date headers (since-window.ts).
          const source = createMboxSource({
            kind: 'mbox',
            name: importSourceName(path),
            path,
            schedule: '*/10 * * * *',
          });
          const progress = progressPrinter(`ingest ${path}`);
          let seen = 0;
          try {
            reports.push(
              await ingestSource(source, realIngestDeps(store, ctx.log, pool ? { pool } : {}), {
                progress: (done) => {
                  seen = done;
                  progress(seen);
                },
              }),
            );
          } finally {
            await source.close();
          }
        } else {
          const config = ctx.config();
          const baseDir = program.opts().config ? resolve(program.opts().config, '..') : process.cwd();
          reports.push(
            ...(await ingestConfiguredSources(config, store, ctx.log, {
              only: opts.source,
              baseDir,
              ...(pool ? { pool } : {}),
            })),
          );
        }
      } finally {
        await pool?.close();
      }
      const series = await refreshSeries(store, { now: new Date(), log: ctx.log });
      const totals = await messageCounts(store.db);
      const seconds = (Date.now() - started) / 1000;
      const read = reports.reduce((n, r) => n + r.messages, 0);
      const summary = {
        read,
        stored: reports.reduce((n, r) => n + r.stored, 0),
        quarantined: reports.reduce((n, r) => n + r.quarantined, 0),
        duplicateIds: reports.reduce((n, r) => n + r.duplicateIds, 0),
        seenAgain: reports.reduce((n, r) => n + r.seenAgain, 0),
        seconds: Number(seconds.toFixed(2)),
        messagesPerSecond: Math.round(read / Math.max(seconds, 0.001)),
        // Peak resident memory of this process so far (the bench reads it from --json).
        maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
        store: totals,
        series,
      };
      if (opts.json) {
        ctx.out(JSON.stringify(summary));
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
