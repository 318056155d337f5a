/**
 * Read model of a job's result for the outputs (Patchwork checks, KCIDB): the job row, its
 * verdict record, its series version, its recorded runs with their ids and times, and the base
 * runs it was judged against. Only reads; bot/outputs/ turns it into what each output sends.
 */
import type { Kysely, Transaction } from 'kysely';
import type { RunResult } from '../../runners/types.ts';
import { getJob, getJobVerdict, type JobRow } from './jobs.ts';
import { invalidMark } from './marks.ts';
import type { Database } from './tables.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface StoredRun {
  /** The run's row (stable ids, e.g. KCIDB's). */
  id: number;
  /** The dashboard's `/runs/<no>`: one numbering with the base runs. */
  no: number;
  step: string;
  role: string;
  patchLimit: number | null;
  durationMs: number;
  /** When the run was recorded (its end). */
  recordedAt: string;
  result: RunResult;
}

export interface StoredBaseline {
  /** The dashboard's `/baselines/<id>`. */
  id: number;
  cacheKey: string;
  repeat: number;
  runner: string;
  treeCommit: string;
  configHash: string;
  /** The suites, sorted and joined by ",". */
  suites: string;
  durationMs: number;
  recordedAt: string;
  result: RunResult;
}

export interface StoredJobResult {
  job: JobRow;
  /** The verdict record JSON job-executor wrote (verdict, bisection, base, suites); null without one. */
  verdictJson: string | null;
  /** The SeriesVersion JSON; null if the version is gone from the store. */
  versionJson: string | null;
  runs: StoredRun[];
  /** Reported withdrawn by a maintainer (#daxbot invalid). */
  withdrawn: boolean;
}

export async function loadStoredJobResult(db: Db, jobId: number): Promise<StoredJobResult | null> {
  const job = await getJob(db, jobId);
  if (!job) return null;
  const version = await db
    .selectFrom('series_versions')
    .select('data')
    .where('version_key', '=', job.versionKey)
    .executeTakeFirst();
  const rows = await db.selectFrom('runs').selectAll().where('job_id', '=', jobId).orderBy('id').execute();
  const runs = rows.map((r) => ({
    id: r.id,
    no: r.run_no,
    step: r.step,
    role: r.role,
    patchLimit: r.patch_limit,
    durationMs: r.duration_ms,
    recordedAt: r.created_at,
    result: JSON.parse(r.result) as RunResult, // written by recordRun from a RunResult
  }));
  return {
    job,
    verdictJson: await getJobVerdict(db, jobId),
    versionJson: version?.data ?? null,
    runs,
    withdrawn: (await invalidMark(db, job.versionKey)) !== null,
  };
}

/** The cached base runs of a runner on a base commit, every configuration and suite set. */
export async function baselinesOf(db: Db, runner: string, treeCommit: string): Promise<StoredBaseline[]> {
  const rows = await db
    .selectFrom('baselines')
    .selectAll()
    .where('runner', '=', runner)
    .where('tree_commit', '=', treeCommit)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    cacheKey: r.cache_key,
    repeat: r.repeat,
    runner: r.runner,
    treeCommit: r.tree_commit,
    configHash: r.config_hash,
    suites: r.suites,
    durationMs: r.duration_ms,
    recordedAt: r.created_at,
    result: JSON.parse(r.result) as RunResult, // written by recordBaseline from a RunResult
  }));
}

/** Ids of the jobs finished at or after `since` (all finished jobs without it), oldest first. */
export async function finishedJobIds(db: Db, since?: string): Promise<number[]> {
  let q = db.selectFrom('jobs').select('id').where('state', '=', 'done').where('finished_at', 'is not', null);
  if (since !== undefined) q = q.where('finished_at', '>=', since);
  return (await q.orderBy('id').execute()).map((r) => r.id);
}
