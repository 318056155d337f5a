/**
 * `daxbot run` (the main job) and `daxbot status` (queue, states, start estimates).
 */
import type { Command } from 'commander';
import type { CliContext } from './context.ts';
import { parseSince } from './options.ts';
import { jsonLine, terminalWidth } from './output.ts';
import { wireFromCli } from './wire.ts';

interface RunOptions {
  once?: boolean;
  since: string;
  ingest: boolean;
  json?: boolean;
}

async function runBot(ctx: CliContext, opts: RunOptions): Promise<void> {
  const { runCycle } = await import('../queue/cycle.ts');
  const { processCommands } = await import('../commands/process.ts');
  const { startScheduler } = await import('../queue/scheduler.ts');
  const { countReplies, undeliveredReplies } = await import('../store/replies.ts');
  const { serveDashboard } = await import('./dashboard.ts');
  const since = parseSince(opts.since, new Date());
  const config = await ctx.config();
  const store = await ctx.store();
  const configDir = ctx.configDir();
  const abort = new AbortController();
  const onSignal = (sig: string): void => {
    ctx.log.info({ signal: sig }, 'stopping: the current step finishes or stays resumable');
    abort.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const deps = await wireFromCli(ctx, abort.signal);
  const commands = async (): Promise<void> => {
    await processCommands(deps);
  };
  try {
    if (opts.once) {
      const r = await runCycle(deps, { since, skipIngest: !opts.ingest, processCommands: commands });
      const replies = await countReplies(store.db, { state: 'sent' });
      // Refused mail no longer fails the cycle, so say here that some is waiting (status lists it).
      const undelivered = (await undeliveredReplies(store.db)).length;
      const jobs = r.jobs.map((j) => ({ id: j.id, exit: j.exit }));
      if (opts.json) {
        ctx.out(jsonLine({ enqueued: r.enqueued, jobs, repliesSent: replies, undelivered }));
        return;
      }
      ctx.out(
        `run --once: ${r.enqueued} new job(s), ${jobs.length} processed (${jobs.map((j) => `#${j.id} ${j.exit}`).join(', ') || 'none'}); ${replies} repl${replies === 1 ? 'y' : 'ies'} sent in total` +
          (undelivered > 0 ? `; ${undelivered} not delivered (see daxbot status)` : ''),
      );
      return;
    }
    // A `dashboard` section means this long-running job serves it too (no second process);
    // started first, so a busy port fails the command before any job is claimed.
    const dashboard = config.dashboard ? await serveDashboard({ config, store, log: ctx.log, env: ctx.env }) : null;
    const s = startScheduler(deps, { since, configDir, processCommands: commands });
    await new Promise<void>((resolve) => abort.signal.addEventListener('abort', () => resolve()));
    await dashboard?.close();
    await s.stop();
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

async function showStatus(ctx: CliContext, opts: { all?: boolean; json?: boolean }): Promise<void> {
  const { queueStarts } = await import('../queue/estimate.ts');
  const { expectedJobMs } = await import('../queue/policy.ts');
  const { listJobs, recentJobDurations } = await import('../store/jobs.ts');
  const { undeliveredReplies } = await import('../store/replies.ts');
  const { invalidVersionKeys } = await import('../store/marks.ts');
  const { listSeriesVersions } = await import('../store/series.ts');
  const { statusRows, statusTable, undeliveredRow, undeliveredTable } = await import('./status-view.ts');
  const config = await ctx.config();
  const store = await ctx.store();
  const jobs = await listJobs(store.db, opts.all ? {} : { active: true });
  const now = new Date();
  const jobMs = expectedJobMs(await recentJobDurations(store.db));
  const starts = queueStarts(jobs, { now, concurrency: config.schedule.concurrency, jobMs });
  const keys = new Set(jobs.map((j) => j.versionKey));
  const series = new Map(
    (await listSeriesVersions(store.db))
      .filter((v) => keys.has(v.version_key))
      .map((v) => [v.version_key, { subject: v.subject, revision: v.revision }]),
  );
  const rows = statusRows({ jobs, now, starts, invalid: await invalidVersionKeys(store.db), series });
  // Replies the mail server refused: retried after their backoff, or given up ('failed').
  const undelivered = (await undeliveredReplies(store.db)).map(undeliveredRow);
  if (opts.json) {
    ctx.out(jsonLine({ jobs: rows, meanJobMs: Math.round(jobMs), undeliveredReplies: undelivered }));
    return;
  }
  for (const line of [
    ...statusTable(rows, now, terminalWidth()),
    ...undeliveredTable(undelivered, now, terminalWidth()),
  ])
    ctx.out(line);
}

export function registerRunCommands(program: Command, ctx: CliContext): void {
  program
    .command('run')
    .description('the main job: poll sources and test new series on their schedules until stopped')
    .option('--once', 'one full cycle: poll, test every ready series to completion, send replies, exit')
    .option(
      '--since <when>',
      'only test series whose newest mail, or whose import with ingest --mbox, is newer ("all", "14d", a date)',
      '14d',
    )
    .option('--no-ingest', 'do not poll the sources (use what the store holds)')
    .option('--json', 'with --once: print {enqueued, jobs, repliesSent, undelivered} as one JSON object')
    .action(async (opts: RunOptions) => runBot(ctx, opts));

  program
    .command('status')
    .description('the queue: each job with its state, series, start (estimated) and progress or result')
    .option('--all', 'include finished jobs')
    .option('--json', 'print {jobs, meanJobMs, undeliveredReplies} as one JSON object')
    .action(async (opts: { all?: boolean; json?: boolean }) => showStatus(ctx, opts));
}
