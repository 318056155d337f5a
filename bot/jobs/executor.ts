/**
 * Drives one claimed job through the state machine: asks plan() for the next step, does it,
 * records it, and asks again, until the job is done, must wait, or failed for infrastructure
 * reasons. Every effect is recorded before the next question, so a kill at any point leaves a
 * job that resumes at the step it was in.
 */
import { mkdir } from 'node:fs/promises';
import type { Logger } from 'pino';
import { toMs } from '../../config/schema.ts';
import type { RunRequest, RunResult } from '../../runners/types.ts';
import { infraBackoffMs } from '../backoff.ts';
import type { PipelineDeps } from '../deps.ts';
import { errorMessage, InfraError } from '../errors.ts';
import type { UnrelatedMark } from '../judge/unrelated.ts';
import { releaseLease, renewLease, setJobTree, updateJob, type JobRow } from '../store/jobs.ts';
import { unrelatedMarks } from '../store/marks.ts';
import { baselineRuns, forgetRunsForRetry, jobRuns, recordBaseline, recordRun } from '../store/runs.ts';
import { finishNoBase } from './no-base.ts';
import { findJobBase, jobContext, seriesMbox, type JobContext } from './context.ts';
import { finishGroup, gaveUpUnfinished, giveUpInGroup, inMultiRunnerGroup, reportInGroup } from './group-report.ts';
import { buildsEachPatch } from './per-patch-runner.ts';
import { plan, type Action } from './plan.ts';
import { reportResult } from './report.ts';

export type JobExit = 'done' | 'waiting' | 'infra-retry' | 'stopped' | 'lease-lost';

interface Snapshot {
  seriesRuns: RunResult[];
  baseRuns: RunResult[];
  bisectRuns: Map<number, RunResult>;
  /** Build-only runs of the series' prefixes (role 'prefix'), by patch count. */
  prefixBuilds: Map<number, RunResult>;
  buildEachPatch: boolean;
  /** Read on every step: a mark given while the job runs counts from its next step on. */
  unrelated: UnrelatedMark[];
}

async function snapshot(deps: PipelineDeps, job: JobRow, ctx: JobContext): Promise<Snapshot> {
  const runs = await jobRuns(deps.store.db, job.id);
  const seriesRuns = runs
    .filter((r) => r.role === 'series')
    .sort((a, b) => Number(a.step.split(':')[1]) - Number(b.step.split(':')[1]))
    .map((r) => r.result);
  const byLimit = (role: string): Map<number, RunResult> =>
    new Map(runs.filter((r) => r.role === role && r.patchLimit !== null).map((r) => [r.patchLimit ?? 0, r.result]));
  const unrelated = await unrelatedMarks(deps.store.db, ctx.version.seriesKey);
  return {
    seriesRuns,
    baseRuns: await baselineRuns(deps.store.db, ctx.baselineKey),
    bisectRuns: byLimit('bisect'),
    prefixBuilds: byLimit('prefix'),
    buildEachPatch: await buildsEachPatch(deps, job),
    unrelated,
  };
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
    base: ctx.record === null ? 'unknown' : ctx.record.tested ? 'found' : 'none',
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

/** A recorded run's artifacts, kept before the job's next run overwrites its files. */
async function keep(
  deps: PipelineDeps,
  ctx: JobContext,
  log: Logger,
  runNo: number | null,
  result: RunResult,
): Promise<void> {
  if (runNo === null || !deps.keepArtifacts) return;
  await deps.keepArtifacts(runNo, result, ctx.workDir).catch((err: unknown) => {
    log.warn({ err: errorMessage(err), run: runNo }, 'keeping the run artifacts failed');
  });
}

/**
 * One prefix build: incremental on the series' build folder, nothing booted (does every patch
 * build?). A machinery failure here is recorded as this prefix's result (it tells nothing, so it
 * is passed over) rather than retried: the verdict on the whole series is in and must not wait
 * on, or be given up for, a check that only adds to it.
 */
async function prefixBuild(
  deps: PipelineDeps,
  job: JobRow,
  ctx: JobContext,
  log: Logger,
  o: { req: Omit<RunRequest, 'workDir' | 'tree'>; k: number; n: number },
): Promise<{ result: RunResult; durationMs: number }> {
  try {
    return await runStep(deps, job, ctx, log, o.req, `build of patches 1..${o.k} of ${o.n}`);
  } catch (err) {
    if (deps.signal?.aborted || !(err instanceof InfraError)) throw err;
    log.warn({ err: errorMessage(err), k: o.k }, 'prefix build failed for infrastructure reasons: passed over');
    const summary = `infrastructure: ${errorMessage(err)}`;
    return { result: infraRun(ctx.runnerConfig.name, ctx.treePath, summary), durationMs: 0 };
  }
}

function infraRun(runner: string, tree: string, summary: string): RunResult {
  const none = { base: null, head: null, configHash: '', apply: null, build: null, consoleLog: null };
  return { runner, tree, ...none, booted: false, tests: [], findings: [], failureClass: 'infra', summary, timings: {} };
}

/** Does one planned step (a run), records it, and says nothing: the plan is asked again. */
async function doStep(
  deps: PipelineDeps,
  job: JobRow,
  ctx: JobContext,
  action: Extract<Action, { kind: 'run-series' | 'run-base' | 'bisect-step' | 'prefix-build' }>,
  log: Logger,
): Promise<void> {
  const db = deps.store.db;
  const base = { base: ctx.base, suites: ctx.suites, baseFound: true };
  switch (action.kind) {
    case 'run-series': {
      const req = { ...base, baseReason: ctx.baseReason, mbox: await seriesMbox(deps, job, ctx) };
      const r = await runStep(deps, job, ctx, log, req, `series run ${action.repeat + 1}`);
      const run = { step: `series:${action.repeat}`, role: 'series', patchLimit: null, ...r };
      await keep(deps, ctx, log, await recordRun(db, job.id, run, deps.now().toISOString()), r.result);
      return;
    }
    case 'run-base': {
      const r = await runStep(deps, job, ctx, log, base, `base run ${action.repeat + 1}`);
      const nowIso = deps.now().toISOString();
      const runNo = await recordBaseline(db, ctx.baselineKey, action.repeat, r.result, r.durationMs, nowIso);
      await keep(deps, ctx, log, runNo, r.result);
      return;
    }
    case 'bisect-step': {
      const mbox = await seriesMbox(deps, job, ctx);
      const req = { ...base, baseReason: ctx.baseReason, mbox, patchLimit: action.k, buildOnly: action.buildOnly };
      const bound = Math.ceil(Math.log2(ctx.version.patches.length)) + 1;
      const label = `bisect step ${action.index + 1} of <=${bound} (patches 1..${action.k})`;
      const r = await runStep(deps, job, ctx, log, req, label);
      const run = { step: `bisect:${action.k}`, role: 'bisect', patchLimit: action.k, ...r };
      await keep(deps, ctx, log, await recordRun(db, job.id, run, deps.now().toISOString()), r.result);
      return;
    }
    case 'prefix-build': {
      const mbox = await seriesMbox(deps, job, ctx);
      const req = { ...base, baseReason: ctx.baseReason, mbox, patchLimit: action.k, buildOnly: true };
      const r = await prefixBuild(deps, job, ctx, log, { req, k: action.k, n: action.n });
      const run = { step: `prefix:${action.k}`, role: 'prefix', patchLimit: action.k, ...r };
      await keep(deps, ctx, log, await recordRun(db, job.id, run, deps.now().toISOString()), r.result);
      return;
    }
  }
}

/** The verdict is in: record it and reply, alone or for the job's group. */
async function finishWithVerdict(
  deps: PipelineDeps,
  job: JobRow,
  ctx: JobContext,
  action: Extract<Action, { kind: 'report' }>,
  log: Logger,
): Promise<void> {
  const db = deps.store.db;
  if (action.verdict.outcome === 'infra') {
    // Neither side could be built or run (the base itself failing to build usually means
    // the host or the build slot is broken): retry from scratch with backoff.
    await forgetRunsForRetry(db, job.id, ctx.baselineKey);
    throw new InfraError(`no usable verdict: ${action.verdict.summary}`, { job: job.id });
  }
  const nowIso = deps.now().toISOString();
  await updateJob(db, job.id, { state: 'judging', progress: 'judging' }, nowIso);
  // Dispatched to several runners: the group gets one reply, from its last job.
  if (await inMultiRunnerGroup(deps, job)) await reportInGroup(deps, job, ctx, action.verdict, action.bisection, log);
  else await reportResult(deps, job, ctx, action.verdict, action.bisection, log);
}

/** Asks the plan for the next step and does it, until the job leaves the worker. */
async function stepUntilExit(deps: PipelineDeps, job: JobRow, log: Logger, leaseLost: () => boolean): Promise<JobExit> {
  if (gaveUpUnfinished(job)) {
    // It gave up and was killed before its group was finished: only that is left to do.
    await finishGroup(deps, job, log);
    return 'done';
  }
  let ctx = await jobContext(deps, job);
  await setJobTree(deps.store.db, job.id, ctx.treeName);
  for (;;) {
    if (deps.signal?.aborted) {
      log.info('stopping between steps; the job resumes on the next start');
      return 'stopped';
    }
    if (leaseLost()) return 'lease-lost';
    const action = nextAction(deps, job, ctx, await snapshot(deps, job, ctx));
    if (action.kind === 'wait') {
      const until = action.until.toISOString();
      const progress = `waiting for the rest of the series until ${until}`;
      await updateJob(
        deps.store.db,
        job.id,
        { state: 'waiting', notBefore: until, progress },
        deps.now().toISOString(),
      );
      log.info({ until }, 'series incomplete: waiting');
      return 'waiting';
    }
    if (action.kind === 'report') {
      await finishWithVerdict(deps, job, ctx, action, log);
      return 'done';
    }
    if (action.kind === 'find-base') {
      ctx = await findJobBase(deps, job, ctx, log);
      continue;
    }
    if (action.kind === 'no-base') {
      await finishNoBase(deps, job, ctx, log);
      return 'done';
    }
    await doStep(deps, job, ctx, action, log);
  }
}

/** A group member giving up: its siblings' verdicts still make the reply; retried if that fails. */
async function giveUpWithGroup(
  deps: PipelineDeps,
  job: JobRow,
  failure: { attempts: number; summary: string; error: string },
  log: Logger,
): Promise<JobExit> {
  try {
    // This runner shows as infrastructure in the group's reply.
    await giveUpInGroup(deps, job, failure, log);
    return 'done';
  } catch (groupErr) {
    // Still 'reporting' as given up: the next claim after the backoff only finishes the group.
    const nowIso = deps.now().toISOString();
    const notBefore = new Date(deps.now().getTime() + infraBackoffMs(failure.attempts)).toISOString();
    const progress = `finishing the group failed; retry after ${notBefore}`;
    await updateJob(deps.store.db, job.id, { notBefore, progress }, nowIso);
    log.warn({ err: errorMessage(groupErr), notBefore }, 'could not finish the group: will retry');
    return 'infra-retry';
  }
}

/** An infrastructure failure: retried with backoff, or given up after `maxAttempts`. */
async function afterInfraFailure(deps: PipelineDeps, job: JobRow, err: InfraError, log: Logger): Promise<JobExit> {
  const db = deps.store.db;
  const attempts = job.attempts + 1;
  const nowIso = deps.now().toISOString();
  const error = errorMessage(err);
  if (attempts >= (deps.maxAttempts ?? 3)) {
    const summary = `gave up after ${attempts} infrastructure failures`;
    log.error({ err: error, attempts }, 'infrastructure failure: giving up');
    if (await inMultiRunnerGroup(deps, job)) return giveUpWithGroup(deps, job, { attempts, summary, error }, log);
    const update = { state: 'done', attempts, outcome: 'infra', summary, error, finishedAt: nowIso, progress: null };
    await updateJob(db, job.id, update, nowIso);
    return 'done';
  }
  const notBefore = new Date(deps.now().getTime() + infraBackoffMs(attempts)).toISOString();
  const update = { state: 'infra-failed', attempts, notBefore, error, progress: `retry after ${notBefore}` };
  await updateJob(db, job.id, update, nowIso);
  log.warn({ err: error, attempts, notBefore }, 'infrastructure failure: will retry');
  return 'infra-retry';
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
  const renew = (): void => {
    renewLease(db, job.id, owner, deps.now(), leaseMs)
      .then((ok) => {
        if (!ok) lost = true;
      })
      .catch(() => undefined);
  };
  const heartbeat = setInterval(renew, Math.max(50, Math.floor(leaseMs / 3)));
  try {
    return await stepUntilExit(deps, job, log, () => lost);
  } catch (err) {
    if (deps.signal?.aborted) {
      log.info({ err: errorMessage(err) }, 'step interrupted by shutdown; it is redone on the next start');
      return 'stopped';
    }
    if (!(err instanceof InfraError)) throw err;
    return afterInfraFailure(deps, job, err, log);
  } finally {
    clearInterval(heartbeat);
    await releaseLease(db, job.id, owner).catch(() => undefined);
  }
}
