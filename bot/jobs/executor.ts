/**
 * Drives one claimed job through the state machine: asks plan() for the next step, does it,
 * records it, and asks again, until the job is done, must wait, or failed for infrastructure
 * reasons. Every effect is recorded before the next question, so a kill at any point leaves a
 * job that resumes at the step it was in.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { toMs, type RunnerConfig } from '../../config/schema.ts';
import type { SeriesVersion } from '../../ingest/series/types.ts';
import type { RunRequest, RunResult } from '../../runners/types.ts';
import { errorMessage, InfraError, NotFoundError } from '../errors.ts';
import { getJobVerdict, releaseLease, renewLease, updateJob, type JobRow } from '../store/jobs.ts';
import { ensureReply, getReply, versionReplies } from '../store/replies.ts';
import {
  baselineRuns,
  forgetRunsForRetry,
  jobRuns,
  recordBaseline,
  recordRun,
  type BaselineKey,
} from '../store/runs.ts';
import { invalidMark, unrelatedMarks } from '../store/marks.ts';
import type { UnrelatedMark } from '../judge/unrelated.ts';
import { infraBackoffMs } from '../backoff.ts';
import { deliverReply } from '../report/deliver.ts';
import { finishGroup, gaveUpUnfinished, giveUpInGroup, inMultiRunnerGroup, reportInGroup } from './group-report.ts';
import { renderResultMail } from '../report/compose.ts';
import type { PipelineDeps } from '../deps.ts';
import { plan, type Action, type BisectionRecord } from './plan.ts';
import { decideReply, replyMessageId, resultDigest } from '../report/reply-policy.ts';
import type { Verdict } from '../judge/verdict.ts';
import { runnerProfile } from '../../runners/registry.ts';
import { runnerConfigHash } from '../pipeline/runner-digest.ts';
import { threadMail } from '../store/thread-mail.ts';
import { chooseTree, type TreeChoice } from './choose-tree.ts';

export type JobExit = 'done' | 'waiting' | 'infra-retry' | 'stopped' | 'lease-lost';

export interface JobContext {
  version: SeriesVersion;
  runnerConfig: RunnerConfig;
  treeName: string;
  treePath: string;
  base: string;
  baseReason: string;
  suites: string[];
  baselineKey: BaselineKey;
  workDir: string;
}

export async function loadVersion(deps: PipelineDeps, versionKey: string): Promise<SeriesVersion> {
  const row = await deps.store.db
    .selectFrom('series_versions')
    .select('data')
    .where('version_key', '=', versionKey)
    .executeTakeFirst();
  if (!row) throw new NotFoundError(`series version ${versionKey} is not in the store`, { versionKey });
  return JSON.parse(row.data) as SeriesVersion; // written by saveSeriesVersions from a SeriesVersion
}

/** The tree a version is tested on, by its root mail's subject prefix and lists (choose-tree.ts). */
export async function routeVersion(deps: PipelineDeps, version: SeriesVersion): Promise<TreeChoice> {
  const root = await threadMail(deps.store.db, version.rootMessageId);
  return chooseTree(
    deps.config.trees,
    root && {
      listId: root.listId,
      recipients: [...root.to, ...root.cc].map((a) => a.address),
      prefixes: root.prefixes,
    },
  );
}

export async function jobContext(deps: PipelineDeps, job: JobRow): Promise<JobContext> {
  const version = await loadVersion(deps, job.versionKey);
  const runnerConfig = deps.config.runners.find((r) => r.name === job.runner);
  if (!runnerConfig) throw new NotFoundError(`runner ${job.runner} is not configured`, { runner: job.runner });
  const route = await routeVersion(deps, version);
  const tree = route.tree;
  const treeName = tree?.name ?? 'linux-6.1';
  const treePath = deps.treePath(treeName);
  const branch = tree?.branch ?? 'HEAD';
  // Each attempt, in order, with why it was or was not taken: the reply shows the whole chain.
  const attempts: string[] = [];
  let base: string | null = null;
  let baseReason = '';
  if (job.options.base) {
    base = await deps.resolveCommit(treePath, job.options.base);
    if (base) baseReason = `base ${job.options.base} requested by ${job.options.requestedBy ?? 'a maintainer'}`;
    else attempts.push(`requested base ${job.options.base} not in ${treeName}`);
  }
  if (!base && version.baseCommit) {
    base = await deps.resolveCommit(treePath, version.baseCommit);
    if (base) baseReason = 'base-commit trailer';
    else attempts.push(`base-commit ${version.baseCommit.slice(0, 12)} not in ${treeName}`);
  }
  if (!base) {
    base = await deps.resolveCommit(treePath, branch);
    baseReason = `configured branch ${branch} of ${treeName} (${route.reason})`;
  }
  if (attempts.length > 0) baseReason = `${baseReason}; ${attempts.join('; ')}`;
  if (!base) throw new InfraError(`tree ${treePath} has no commit for ${branch}`, { treePath, tree: treeName });
  // The runner's effective suites: the simulator's defaults are not the schema's ("dax").
  const suites = job.options.suites ?? runnerProfile(runnerConfig).suites;
  return {
    version,
    runnerConfig,
    treeName,
    treePath,
    base,
    baseReason,
    suites,
    baselineKey: { runner: runnerConfig.name, treeCommit: base, configHash: runnerConfigHash(runnerConfig), suites },
    workDir: path.join(deps.workDir, 'jobs', String(job.id)),
  };
}

interface Snapshot {
  seriesRuns: RunResult[];
  baseRuns: RunResult[];
  bisectRuns: Map<number, RunResult>;
  /** Read on every step: a mark given while the job runs counts from its next step on. */
  unrelated: UnrelatedMark[];
}

async function snapshot(deps: PipelineDeps, job: JobRow, ctx: JobContext): Promise<Snapshot> {
  const runs = await jobRuns(deps.store.db, job.id);
  const seriesRuns = runs
    .filter((r) => r.role === 'series')
    .sort((a, b) => Number(a.step.split(':')[1]) - Number(b.step.split(':')[1]))
    .map((r) => r.result);
  const bisectRuns = new Map<number, RunResult>();
  for (const r of runs) if (r.role === 'bisect' && r.patchLimit !== null) bisectRuns.set(r.patchLimit, r.result);
  const unrelated = await unrelatedMarks(deps.store.db, ctx.version.seriesKey);
  return { seriesRuns, baseRuns: await baselineRuns(deps.store.db, ctx.baselineKey), bisectRuns, unrelated };
}

export function nextAction(deps: PipelineDeps, job: JobRow, ctx: JobContext, snap: Snapshot): Action {
  const s = deps.config.schedule;
  return plan({
    now: deps.now(),
    complete: ctx.version.complete,
    lastDate: ctx.version.lastDate,
    incompleteWaitMs: toMs(s.incompleteWait),
    patchCount: ctx.version.patches.length,
    confirmRepeats: job.options.repeats ?? s.confirmRepeats,
    ...snap,
  });
}

/** Runs one step on the runner, with progress in the log and in the job row. */
async function runStep(
  deps: PipelineDeps,
  job: JobRow,
  ctx: JobContext,
  log: Logger,
  req: Omit<RunRequest, 'workDir' | 'tree'>,
  label: string,
): Promise<{ result: RunResult; durationMs: number }> {
  const runner = deps.runnerFor(ctx.runnerConfig);
  await mkdir(ctx.workDir, { recursive: true });
  let lastWrite = 0;
  let pending: Promise<void> = Promise.resolve();
  const progress = (step: string, detail?: string): void => {
    log.info({ step: label, phase: step, detail }, `${label}: ${step}${detail ? ` ${detail}` : ''}`);
    const t = Date.now();
    // A progress line per object file would hammer the store; the status view needs only the latest.
    if (t - lastWrite < 1000) return;
    lastWrite = t;
    const phase = /apply/i.test(step) ? 'applying' : /build|config|make|compile/i.test(step) ? 'building' : null;
    const state = label.startsWith('bisect') ? 'bisecting' : (phase ?? 'testing');
    pending = pending
      .then(() =>
        updateJob(
          deps.store.db,
          job.id,
          { state, progress: `${label}: ${step}${detail ? ` ${detail}` : ''}` },
          deps.now().toISOString(),
        ),
      )
      .catch(() => undefined);
  };
  const started = Date.now();
  await updateJob(
    deps.store.db,
    job.id,
    { state: label.startsWith('bisect') ? 'bisecting' : 'applying', progress: `${label}: starting` },
    deps.now().toISOString(),
  );
  const result = await runner.run(
    { ...req, tree: ctx.treePath, workDir: ctx.workDir },
    { log, progress, ...(deps.signal && { signal: deps.signal }) },
  );
  await pending;
  if (result.failureClass === 'infra') throw new InfraError(`${label}: ${result.summary}`, { label });
  return { result, durationMs: Date.now() - started };
}

async function seriesMbox(deps: PipelineDeps, job: JobRow, ctx: JobContext): Promise<string> {
  const file = path.join(ctx.workDir, 'series.mbox');
  await mkdir(ctx.workDir, { recursive: true });
  await writeFile(file, await deps.exportMbox(job.versionKey));
  return file;
}

async function report(
  deps: PipelineDeps,
  job: JobRow,
  ctx: JobContext,
  verdict: Verdict,
  bisection: BisectionRecord | null,
  log: Logger,
): Promise<void> {
  const db = deps.store.db;
  const nowIso = deps.now().toISOString();
  const digest = resultDigest(verdict, bisection);
  const messageId = replyMessageId(job.versionKey, job.id, digest, deps.config.mail.domain);
  const verdictJson = JSON.stringify({
    verdict,
    bisection,
    base: ctx.base,
    baseReason: ctx.baseReason,
    suites: ctx.suites,
  });
  let reply = await getReply(db, messageId);
  if (!reply) {
    const earlier = (await versionReplies(db, job.versionKey)).filter((r) => r.jobId !== job.id);
    const decision = decideReply(verdict.outcome, digest, earlier, { replyOnPass: deps.config.mail.replyOnPass });
    if (decision.kind === 'none') {
      await updateJob(
        db,
        job.id,
        {
          state: 'done',
          outcome: verdict.outcome,
          summary: `${verdict.summary} (${decision.reason})`,
          verdict: verdictJson,
          progress: null,
          finishedAt: nowIso,
        },
        nowIso,
      );
      log.info({ outcome: verdict.outcome }, `done: ${verdict.summary}; no new reply (${decision.reason})`);
      return;
    }
    const changedFrom = decision.changedFrom;
    let previous: { verdict: Verdict; messageId: string } | null = null;
    if (changedFrom) {
      const prevRow = earlier.find((r) => r.messageId === changedFrom.messageId);
      const stored = prevRow?.jobId != null ? await getJobVerdict(db, prevRow.jobId) : null;
      const parsed: unknown = stored ? JSON.parse(stored) : null;
      if (parsed && typeof parsed === 'object' && 'verdict' in parsed)
        previous = { verdict: parsed.verdict as Verdict, messageId: changedFrom.messageId }; // our own JSON
    }
    // The QEMU command line for the reproducer is read from the job's runs by renderResultMail.
    const composed = await renderResultMail({
      db,
      jobId: job.id,
      lists: deps.config.trees.flatMap((t) => t.lists),
      version: ctx.version,
      verdict,
      bisection,
      previous,
      runner: ctx.runnerConfig,
      treeName: ctx.treeName,
      base: ctx.base,
      baseReason: ctx.baseReason,
      suites: ctx.suites,
      mail: deps.config.mail,
      messageId,
      date: deps.now(),
    });
    // The reply row and the state change commit together: after this, a restart only sends.
    reply = await db.transaction().execute(async (trx) => {
      // A withdrawn report (#daxbot invalid) keeps being recorded, never mailed.
      const withdrawn = (await invalidMark(trx, job.versionKey)) !== null;
      const row = await ensureReply(
        trx,
        {
          messageId,
          versionKey: job.versionKey,
          jobId: job.id,
          kind: 'result',
          digest,
          outcome: verdict.outcome,
          mailed: decision.mail && !withdrawn,
          subject: composed.subject,
          recipients: composed.recipients,
          raw: composed.raw,
        },
        nowIso,
      );
      await updateJob(
        trx,
        job.id,
        {
          state: 'reporting',
          outcome: verdict.outcome,
          summary: verdict.summary,
          verdict: verdictJson,
          progress: 'reporting',
        },
        nowIso,
      );
      return row;
    });
  }
  if (reply.state === 'pending') {
    // A refused delivery is the reply's (recorded on it and retried with backoff by
    // flushPendingReplies, or marked failed), not the job's: the verdict stands, the job is done.
    const finished = (at: string) => ({
      state: 'done',
      outcome: verdict.outcome,
      summary: verdict.summary,
      verdict: verdictJson,
      progress: null,
      finishedAt: at,
    });
    const d = await deliverReply(deps, reply, {
      log,
      onSent: (trx, sentAt) => updateJob(trx, job.id, finished(sentAt), sentAt),
    });
    if (d.kind !== 'sent') await updateJob(db, job.id, finished(nowIso), nowIso);
    log.info(
      { outcome: verdict.outcome, messageId: reply.messageId, delivery: d.kind },
      `done: ${verdict.summary}; reply ${d.kind === 'sent' ? 'sent' : `not delivered yet (${d.kind})`}`,
    );
  } else {
    await updateJob(
      db,
      job.id,
      {
        state: 'done',
        outcome: verdict.outcome,
        summary: verdict.summary,
        verdict: verdictJson,
        progress: null,
        finishedAt: nowIso,
      },
      nowIso,
    );
    log.info(
      { outcome: verdict.outcome, reply: reply.state },
      `done: ${verdict.summary}; reply ${reply.state === 'recorded' ? 'recorded, not mailed' : reply.state}`,
    );
  }
}

/**
 * Executes a claimed job until it leaves the worker. The caller holds the lease; this renews it
 * while steps run and releases it on the way out.
 */
export async function executeJob(deps: PipelineDeps, job: JobRow, owner: string, baseLog: Logger): Promise<JobExit> {
  const db = deps.store.db;
  const leaseMs = deps.leaseMs ?? 120_000;
  const log = baseLog.child({ job: job.id, series: job.versionKey });
  let lost = false;
  const heartbeat = setInterval(
    () => {
      renewLease(db, job.id, owner, deps.now(), leaseMs)
        .then((ok) => {
          if (!ok) lost = true;
        })
        .catch(() => undefined);
    },
    Math.max(50, Math.floor(leaseMs / 3)),
  );
  try {
    if (gaveUpUnfinished(job)) {
      // It gave up and was killed before its group was finished: only that is left to do.
      await finishGroup(deps, job, log);
      return 'done';
    }
    const ctx = await jobContext(deps, job);
    for (;;) {
      if (deps.signal?.aborted) {
        log.info('stopping between steps; the job resumes on the next start');
        return 'stopped';
      }
      if (lost) return 'lease-lost';
      const snap = await snapshot(deps, job, ctx);
      const action = nextAction(deps, job, ctx, snap);
      const nowIso = deps.now().toISOString();
      switch (action.kind) {
        case 'wait':
          await updateJob(
            db,
            job.id,
            {
              state: 'waiting',
              notBefore: action.until.toISOString(),
              progress: `waiting for the rest of the series until ${action.until.toISOString()}`,
            },
            nowIso,
          );
          log.info({ until: action.until.toISOString() }, 'series incomplete: waiting');
          return 'waiting';
        case 'run-series': {
          const step = `series:${action.repeat}`;
          const mbox = await seriesMbox(deps, job, ctx);
          const r = await runStep(
            deps,
            job,
            ctx,
            log,
            { base: ctx.base, baseReason: ctx.baseReason, mbox, suites: ctx.suites },
            `series run ${action.repeat + 1}`,
          );
          await recordRun(
            db,
            job.id,
            { step, role: 'series', patchLimit: null, durationMs: r.durationMs, result: r.result },
            deps.now().toISOString(),
          );
          break;
        }
        case 'run-base': {
          const r = await runStep(
            deps,
            job,
            ctx,
            log,
            { base: ctx.base, suites: ctx.suites },
            `base run ${action.repeat + 1}`,
          );
          await recordBaseline(db, ctx.baselineKey, action.repeat, r.result, r.durationMs, deps.now().toISOString());
          break;
        }
        case 'bisect-step': {
          const mbox = await seriesMbox(deps, job, ctx);
          const bound = Math.ceil(Math.log2(ctx.version.patches.length)) + 1;
          const r = await runStep(
            deps,
            job,
            ctx,
            log,
            { base: ctx.base, baseReason: ctx.baseReason, mbox, patchLimit: action.k, suites: ctx.suites },
            `bisect step ${action.index + 1} of <=${bound} (patches 1..${action.k})`,
          );
          await recordRun(
            db,
            job.id,
            {
              step: `bisect:${action.k}`,
              role: 'bisect',
              patchLimit: action.k,
              durationMs: r.durationMs,
              result: r.result,
            },
            deps.now().toISOString(),
          );
          break;
        }
        case 'report':
          if (action.verdict.outcome === 'infra') {
            // Neither side could be built or run (the base itself failing to build usually means
            // the host or the build slot is broken): retry from scratch with backoff.
            await forgetRunsForRetry(db, job.id, ctx.baselineKey);
            throw new InfraError(`no usable verdict: ${action.verdict.summary}`, { job: job.id });
          }
          await updateJob(db, job.id, { state: 'judging', progress: 'judging' }, nowIso);
          // Dispatched to several runners: the group gets one reply, from its last job.
          if (await inMultiRunnerGroup(deps, job))
            await reportInGroup(deps, job, ctx, action.verdict, action.bisection, log);
          else await report(deps, job, ctx, action.verdict, action.bisection, log);
          return 'done';
      }
    }
  } catch (err) {
    if (deps.signal?.aborted) {
      log.info({ err: errorMessage(err) }, 'step interrupted by shutdown; it is redone on the next start');
      return 'stopped';
    }
    if (!(err instanceof InfraError)) throw err;
    const attempts = job.attempts + 1;
    const nowIso = deps.now().toISOString();
    const max = deps.maxAttempts ?? 3;
    if (attempts >= max) {
      const summary = `gave up after ${attempts} infrastructure failures`;
      log.error({ err: errorMessage(err), attempts }, 'infrastructure failure: giving up');
      if (await inMultiRunnerGroup(deps, job)) {
        try {
          // Its siblings' verdicts still make the group's reply; this runner shows as infrastructure.
          await giveUpInGroup(deps, job, { attempts, summary, error: errorMessage(err) }, log);
        } catch (groupErr) {
          // Still 'reporting' as given up: the next claim after the backoff only finishes the group.
          const notBefore = new Date(deps.now().getTime() + infraBackoffMs(attempts)).toISOString();
          await updateJob(
            db,
            job.id,
            { notBefore, progress: `finishing the group failed; retry after ${notBefore}` },
            nowIso,
          );
          log.warn({ err: errorMessage(groupErr), notBefore }, 'could not finish the group: will retry');
          return 'infra-retry';
        }
        return 'done';
      }
      await updateJob(
        db,
        job.id,
        {
          state: 'done',
          attempts,
          outcome: 'infra',
          summary,
          error: errorMessage(err),
          finishedAt: nowIso,
          progress: null,
        },
        nowIso,
      );
      return 'done';
    }
    const notBefore = new Date(deps.now().getTime() + infraBackoffMs(attempts)).toISOString();
    await updateJob(
      db,
      job.id,
      { state: 'infra-failed', attempts, notBefore, error: errorMessage(err), progress: `retry after ${notBefore}` },
      nowIso,
    );
    log.warn({ err: errorMessage(err), attempts, notBefore }, 'infrastructure failure: will retry');
    return 'infra-retry';
  } finally {
    clearInterval(heartbeat);
    await releaseLease(db, job.id, owner).catch(() => undefined);
  }
}
