/**
 * Recorded runs: a job's steps (series runs, repeats, bisection steps) and the baseline cache.
 * A step is recorded once under a deterministic name; recording it again is a no-op, so a
 * restart that repeats a step's last moments cannot duplicate it.
 */
import type { Kysely, Transaction } from 'kysely';
import { z } from 'zod';
import type { RunResult } from '../../runners/types.ts';
import type { Database } from './tables.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** The console log is large and lives in the run's work folder; the store keeps the rest. */
function storable(result: RunResult): string {
  const consoleLog =
    result.consoleLog && result.consoleLog.length > 200_000 ? result.consoleLog.slice(-200_000) : result.consoleLog;
  return JSON.stringify({ ...result, consoleLog });
}

export interface RecordedRun {
  step: string;
  role: string;
  patchLimit: number | null;
  durationMs: number;
  result: RunResult;
}

/** The next number of the one sequence job runs and base runs share (`counters` 'run'). */
async function nextRunNo(db: Db): Promise<number> {
  const r = await db
    .updateTable('counters')
    .set((eb) => ({ value: eb('value', '+', 1) }))
    .where('name', '=', 'run')
    .returning('value')
    .executeTakeFirstOrThrow();
  return Number(r.value);
}

function timingMs(result: RunResult, key: string): number | null {
  const v = result.timings[key];
  return typeof v === 'number' && Number.isFinite(v) ? Math.round(v) : null;
}

/** A run's test results as rows, for failure and flake rates (run_tests). */
async function recordTests(
  db: Db,
  o: { runNo: number; runner: string; role: string; grp: string; result: RunResult; now: string },
): Promise<void> {
  if (o.result.tests.length === 0) return;
  await db
    .insertInto('run_tests')
    .values(
      o.result.tests.map((t) => ({
        run_no: o.runNo,
        runner: o.runner,
        role: o.role,
        suite: t.suite,
        name: t.name,
        status: t.status,
        grp: o.grp,
        created_at: o.now,
      })),
    )
    .execute();
}

/**
 * Records a step under its number in the one run sequence; returns that number, or null when
 * the step was already recorded (a restart repeating it: nothing changes).
 */
export async function recordRun(db: Db, jobId: number, run: RecordedRun, now: string): Promise<number | null> {
  const runNo = await nextRunNo(db);
  const res = await db
    .insertInto('runs')
    .values({
      job_id: jobId,
      step: run.step,
      role: run.role,
      patch_limit: run.patchLimit,
      failure_class: run.result.failureClass,
      duration_ms: Math.round(run.durationMs),
      result: storable(run.result),
      created_at: now,
      run_no: runNo,
      build_ms: timingMs(run.result, 'buildMs'),
      boot_ms: timingMs(run.result, 'bootMs'),
    })
    .onConflict((oc) => oc.columns(['job_id', 'step']).doNothing())
    .executeTakeFirst();
  if (Number(res.numInsertedOrUpdatedRows ?? 0) === 0) return null;
  const job = await db.selectFrom('jobs').select('runner').where('id', '=', jobId).executeTakeFirst();
  const grp = `job:${jobId}:${run.role}`;
  await recordTests(db, {
    runNo,
    runner: job?.runner ?? run.result.runner,
    role: run.role,
    grp,
    result: run.result,
    now,
  });
  return runNo;
}

export async function jobRuns(db: Db, jobId: number): Promise<RecordedRun[]> {
  const rows = await db.selectFrom('runs').selectAll().where('job_id', '=', jobId).orderBy('id').execute();
  return rows.map((r) => ({
    step: r.step,
    role: r.role,
    patchLimit: r.patch_limit,
    durationMs: r.duration_ms,
    result: JSON.parse(r.result) as RunResult, // written by recordRun from a RunResult
  }));
}

/** What a reply reads of a recorded run: how it booted, what it built, where its console is. */
const replyRunSchema = z
  .object({
    qemuCommand: z.array(z.string()).min(1).optional().catch(undefined),
    consoleLog: z.string().nullable().optional().catch(null),
    build: z
      .object({
        ok: z.boolean(),
        buildDir: z.string(),
        bzImage: z.string().optional(),
        vmlinux: z.string().optional(),
        compiler: z.string().optional(),
      })
      .passthrough()
      .nullable()
      .optional()
      .catch(null),
  })
  .passthrough();

export type ReplyRun = z.infer<typeof replyRunSchema>;

export interface JobRunRefs {
  /** The number of the job's first series run (the dashboard's `/runs/<no>`), or null before it ran. */
  seriesRunId: number | null;
  /** The QEMU command line of its first series or bisection run that booted. */
  qemuCommand: string[] | null;
  /**
   * The run a reproducer is made from: that booted run, else the first series run (a build
   * failure has no boot); its id names its files (`/runs/<id>/artifacts/<name>`).
   */
  reproRun: { id: number; result: ReplyRun } | null;
}

function parseReplyRun(text: string): ReplyRun | null {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  const p = replyRunSchema.safeParse(json);
  return p.success ? p.data : null;
}

/** What a reply shows of a job's runs: a link to one, the command line and the files to repeat it. */
export async function jobRunRefs(db: Db, jobId: number): Promise<JobRunRefs> {
  const rows = await db
    .selectFrom('runs')
    .select(['id', 'run_no', 'role', 'result'])
    .where('job_id', '=', jobId)
    .where('role', '!=', 'base')
    .orderBy('id')
    .execute();
  // Links carry the run's number (one numbering for base and series runs), as the dashboard serves them.
  const parsed = rows.map((r) => ({ no: r.run_no ?? r.id, role: r.role, result: parseReplyRun(r.result) }));
  const booted = parsed.find((r) => r.result?.qemuCommand);
  const series = parsed.find((r) => r.role === 'series');
  const repro = booted ?? series;
  return {
    seriesRunId: series?.no ?? null,
    qemuCommand: booted?.result?.qemuCommand ?? null,
    reproRun: repro?.result ? { id: repro.no, result: repro.result } : null,
  };
}

export interface BaselineKey {
  runner: string;
  treeCommit: string;
  configHash: string;
  suites: string[];
}

export function baselineCacheKey(k: BaselineKey): string {
  return `${k.runner}|${k.treeCommit}|${k.configHash}|${[...k.suites].sort().join(',')}`;
}

export async function baselineRuns(db: Db, key: BaselineKey): Promise<RunResult[]> {
  const rows = await db
    .selectFrom('baselines')
    .select(['result', 'repeat'])
    .where('cache_key', '=', baselineCacheKey(key))
    .orderBy('repeat')
    .execute();
  return rows.map((r) => JSON.parse(r.result) as RunResult); // written by recordBaseline
}

/** Records a base run in the one run sequence; its number, or null when it was already cached. */
export async function recordBaseline(
  db: Db,
  key: BaselineKey,
  repeat: number,
  result: RunResult,
  durationMs: number,
  now: string,
): Promise<number | null> {
  const runNo = await nextRunNo(db);
  const cacheKey = baselineCacheKey(key);
  const res = await db
    .insertInto('baselines')
    .values({
      cache_key: cacheKey,
      repeat,
      runner: key.runner,
      tree_commit: key.treeCommit,
      config_hash: key.configHash,
      suites: [...key.suites].sort().join(','),
      duration_ms: Math.round(durationMs),
      result: storable(result),
      created_at: now,
      run_no: runNo,
      build_ms: timingMs(result, 'buildMs'),
      boot_ms: timingMs(result, 'bootMs'),
    })
    .onConflict((oc) => oc.columns(['cache_key', 'repeat']).doNothing())
    .executeTakeFirst();
  if (Number(res.numInsertedOrUpdatedRows ?? 0) === 0) return null;
  await recordTests(db, { runNo, runner: key.runner, role: 'base', grp: `base:${cacheKey}`, result, now });
  return runNo;
}

/** Mean duration of recorded runs (build + boot + tests), for overhead figures and estimates. */
export async function meanRunDuration(db: Db): Promise<number | null> {
  const rows = await db.selectFrom('runs').select('duration_ms').orderBy('id', 'desc').limit(50).execute();
  if (rows.length === 0) return null;
  return rows.reduce((a, r) => a + r.duration_ms, 0) / rows.length;
}

/**
 * Forgets a job's runs and the cached base runs it used, when the machinery (not the patch)
 * made them worthless: the retry must run them again rather than replay the failure.
 */
export async function forgetRunsForRetry(db: Db, jobId: number, key: BaselineKey): Promise<void> {
  const cacheKey = baselineCacheKey(key);
  const jobRunNos = db.selectFrom('runs').select('run_no').where('job_id', '=', jobId);
  const baseRunNos = db.selectFrom('baselines').select('run_no').where('cache_key', '=', cacheKey);
  await db.deleteFrom('run_tests').where('run_no', 'in', jobRunNos).execute();
  await db.deleteFrom('run_tests').where('run_no', 'in', baseRunNos).execute();
  await db.deleteFrom('runs').where('job_id', '=', jobId).execute();
  await db.deleteFrom('baselines').where('cache_key', '=', cacheKey).execute();
}
