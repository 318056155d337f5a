/**
 * `daxbot run` (the main job) and `daxbot status` (queue, states, start estimates).
 */
import path from 'node:path';
import type { Command } from 'commander';
import { runCycle } from '../pipeline/cycle.ts';
import { processCommands } from '../pipeline/process-commands.ts';
import { estimateStarts, meanDuration } from '../pipeline/estimate.ts';
import { startScheduler } from '../pipeline/scheduler.ts';
import { loadRunnerScript } from '../../runners/scripted/runner.ts';
import { wirePipeline } from '../pipeline/wire.ts';
import { listJobs, recentJobDurations } from '../store/jobs.ts';
import { countReplies, undeliveredReplies } from '../store/replies.ts';
import { invalidVersionKeys } from '../store/marks.ts';
import { ConfigError } from '../errors.ts';
import type { CliContext } from './context.ts';
import { serveDashboard } from './dashboard.ts';

const DAY = 86_400_000;

/** "all" → no limit; "14d" / "36h" → that long ago; else an ISO date. */
export function parseSince(value: string, now: Date): Date | null {
  if (value === 'all') return null;
  const m = /^(\d+)([dh])$/.exec(value);
  if (m) return new Date(now.getTime() - Number(m[1]) * (m[2] === 'd' ? DAY : 3_600_000));
  const d = Date.parse(value);
  if (Number.isNaN(d)) throw new ConfigError(`--since: expected "all", "<n>d", "<n>h" or a date, got ${value}`);
  return new Date(d);
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
    .action(async (opts: { once?: boolean; since: string; ingest: boolean }) => {
      const config = ctx.config();
      const store = await ctx.store();
      const configFile: unknown = program.opts().config ?? ctx.env.DAXBOT_CONFIG;
      const configDir = typeof configFile === 'string' ? path.resolve(configFile, '..') : process.cwd();
      const abort = new AbortController();
      const onSignal = (sig: string): void => {
        ctx.log.info({ signal: sig }, 'stopping: the current step finishes or stays resumable');
        abort.abort();
      };
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      const scriptFile = ctx.env.DAXBOT_SCRIPTED_RUNNER;
      const script = scriptFile ? await loadRunnerScript(scriptFile) : undefined;
      if (script)
        ctx.log.warn({ script: scriptFile }, 'DAXBOT_SCRIPTED_RUNNER is set: runs are scripted, no kernel is built');
      const deps = wirePipeline({
        config,
        store,
        log: ctx.log,
        repoRoot: ctx.repoRoot,
        env: ctx.env,
        configDir,
        signal: abort.signal,
        ...(script && { script }),
      });
      const since = parseSince(opts.since, new Date());
      const commands = async (): Promise<void> => {
        await processCommands(deps);
      };
      try {
        if (opts.once) {
          const r = await runCycle(deps, { since, skipIngest: !opts.ingest, processCommands: commands });
          const replies = await countReplies(store.db, { state: 'sent' });
          // Refused mail no longer fails the cycle, so say here that some is waiting (status lists it).
          const undelivered = (await undeliveredReplies(store.db)).length;
          ctx.out(
            `run --once: ${r.enqueued} new job(s), ${r.jobs.length} processed (${r.jobs.map((j) => `#${j.id} ${j.exit}`).join(', ') || 'none'}); ${replies} repl${replies === 1 ? 'y' : 'ies'} sent in total` +
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
    });

  program
    .command('status')
    .description('the queue: each job with its state, progress and estimated start')
    .option('--all', 'include finished jobs')
    .option('--json', 'print JSON')
    .action(async (opts: { all?: boolean; json?: boolean }) => {
      const config = ctx.config();
      const store = await ctx.store();
      const jobs = await listJobs(store.db, opts.all ? {} : { active: true });
      const now = new Date();
      const jobMs = meanDuration(await recentJobDurations(store.db), 20 * 60_000);
      const isRunning = (j: (typeof jobs)[number]): boolean =>
        j.leaseExpiresAt !== null && Date.parse(j.leaseExpiresAt) > now.getTime();
      const running = jobs.filter(isRunning);
      const queued = jobs.filter(
        (j) =>
          !isRunning(j) && j.state !== 'done' && (j.notBefore === null || Date.parse(j.notBefore) <= now.getTime()),
      );
      const starts = estimateStarts(queued, running, { now, concurrency: config.schedule.concurrency, jobMs });
      const invalid = await invalidVersionKeys(store.db);
      const rows = jobs.map((j) => ({
        id: j.id,
        series: j.versionKey,
        state: isRunning(j)
          ? j.state
          : j.state === 'done'
            ? 'done'
            : j.notBefore && Date.parse(j.notBefore) > now.getTime()
              ? j.state
              : 'queued',
        priority: j.priority,
        trigger: j.trigger,
        progress: j.progress,
        outcome: j.outcome,
        summary: j.summary,
        // The report on this version was withdrawn (#daxbot invalid): results are not mailed.
        invalid: invalid.has(j.versionKey),
        estimatedStart:
          starts.get(j.id)?.toISOString() ??
          (j.notBefore && Date.parse(j.notBefore) > now.getTime() ? j.notBefore : null),
      }));
      // Replies the mail server refused: retried after their backoff, or given up ('failed').
      const undelivered = (await undeliveredReplies(store.db)).map((r) => ({
        messageId: r.messageId,
        kind: r.kind,
        series: r.versionKey,
        state: r.state === 'failed' ? 'failed' : 'retrying',
        attempts: r.attempts,
        lastError: r.lastError,
        nextAttemptAt: r.nextAttemptAt,
      }));
      if (opts.json) {
        ctx.out(JSON.stringify({ jobs: rows, meanJobMs: Math.round(jobMs), undeliveredReplies: undelivered }));
        return;
      }
      if (rows.length === 0) ctx.out('no jobs');
      for (const r of rows) {
        const when = r.estimatedStart && r.state !== 'done' ? ` starts ~${r.estimatedStart}` : '';
        ctx.out(
          `#${r.id} [${r.state}] p${r.priority} ${r.series}${r.invalid ? ' (invalid)' : ''}${r.progress ? ` — ${r.progress}` : ''}${r.outcome ? ` → ${r.outcome}: ${r.summary ?? ''}` : ''}${when}`,
        );
      }
      for (const u of undelivered) {
        const next = u.state === 'retrying' && u.nextAttemptAt ? `; next attempt ~${u.nextAttemptAt}` : '; not retried';
        ctx.out(
          `reply <${u.messageId}> [${u.state}] ${u.kind}${u.series ? ` ${u.series}` : ''} after ${u.attempts} failed attempt(s): ${u.lastError ?? ''}${next}`,
        );
      }
    });
}
