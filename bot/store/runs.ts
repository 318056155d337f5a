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

export async function recordRun(db: Db, jobId: number, run: RecordedRun, now: string): Promise<void> {
  await db
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
    })
    .onConflict((oc) => oc.columns(['job_id', 'step']).doNothing())
    .execute();
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
  /** The job's first series run (the dashboard's `/runs/<id>`), or null before it ran. */
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
    .select(['id', 'role', 'result'])
    .where('job_id', '=', jobId)
    .where('role', '!=', 'base')
    .orderBy('id')
    .execute();
  const parsed = rows.map((r) => ({ id: r.id, role: r.role, result: parseReplyRun(r.result) }));
  const booted = parsed.find((r) => r.result?.qemuCommand);
  const series = parsed.find((r) => r.role === 'series');
  const repro = booted ?? series;
  return {
    seriesRunId: series?.id ?? null,
    qemuCommand: booted?.result?.qemuCommand ?? null,
    reproRun: repro?.result ? { id: repro.id, result: repro.result } : null,
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

export async function recordBaseline(
  db: Db,
  key: BaselineKey,
  repeat: number,
  result: RunResult,
  durationMs: number,
  now: string,
): Promise<void> {
  await db
    .insertInto('baselines')
    .values({
      cache_key: baselineCacheKey(key),
      repeat,
      runner: key.runner,
      tree_commit: key.treeCommit,
      config_hash: key.configHash,
      suites: [...key.suites].sort().join(','),
      duration_ms: Math.round(durationMs),
      result: storable(result),
      created_at: now,
    })
    .onConflict((oc) => oc.columns(['cache_key', 'repeat']).doNothing())
    .execute();
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
  await db.deleteFrom('runs').where('job_id', '=', jobId).execute();
  await db.deleteFrom('baselines').where('cache_key', '=', baselineCacheKey(key)).execute();
}
