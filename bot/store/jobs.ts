/**
 * The job queue. Claiming is a conditional update inside a transaction: only one worker wins a
 * job, and a lease with an expiry lets another worker reclaim the job of a killed one. Which job
 * is claimed, and the order jobs are listed in, is the queue's policy (queue/policy.ts).
 */
import type { Kysely, SelectQueryBuilder, Transaction } from 'kysely';
import { z } from 'zod';
import { CLAIM_ORDER, CLAIMABLE_STATES } from '../queue/policy.ts';
import { StoreError } from '../errors.ts';
import type { Database, JobsTable } from './tables.ts';

type Db = Kysely<Database> | Transaction<Database>;

export const jobOptionsSchema = z.object({
  suites: z.array(z.string()).optional(),
  /** Overrides schedule.confirmRepeats for this job. */
  repeats: z.number().int().nonnegative().optional(),
  /** Who asked (command message-id, "cli"). */
  requestedBy: z.string().optional(),
  /** A base the maintainer named (`#daxbot test base <commit>`, `rerun --base`): tried first. */
  base: z.string().min(1).optional(),
});
export type JobOptions = z.infer<typeof jobOptionsSchema>;

export interface JobRow {
  id: number;
  versionKey: string;
  trigger: string;
  priority: number;
  state: string;
  runner: string;
  /** The jobs dispatched together for one reply: the id of the group's first job. */
  groupId: number;
  options: JobOptions;
  attempts: number;
  notBefore: string | null;
  leaseOwner: string | null;
  leaseExpiresAt: string | null;
  progress: string | null;
  outcome: string | null;
  summary: string | null;
  error: string | null;
  /** The base discovery record (JSON, bot/jobs/base-types.ts JobBaseRecord); null before it ran. */
  base: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

type Row = Omit<JobsTable, 'id'> & { id: number };

export function toJobRow(r: Row): JobRow {
  const parsed = jobOptionsSchema.safeParse(JSON.parse(r.options));
  return {
    id: r.id,
    versionKey: r.version_key,
    trigger: r.trigger,
    priority: r.priority,
    state: r.state,
    runner: r.runner,
    // Rows from before job groups are groups of one.
    groupId: r.group_id ?? r.id,
    options: parsed.success ? parsed.data : {},
    attempts: r.attempts,
    notBefore: r.not_before,
    leaseOwner: r.lease_owner,
    leaseExpiresAt: r.lease_expires_at,
    progress: r.progress,
    outcome: r.outcome,
    summary: r.summary,
    error: r.error,
    base: r.base ?? null,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  };
}

export interface NewJob {
  versionKey: string;
  trigger: string;
  priority: number;
  runner: string;
  options?: JobOptions;
  /** Joins an existing group; without it the job starts a group of its own. */
  groupId?: number;
}

export async function insertJob(db: Db, job: NewJob, now: string): Promise<number> {
  const id = await insertJobUnlessDispatched(db, job, now);
  if (id === null) throw new StoreError(`${job.versionKey} is already dispatched to ${job.runner}`, { ...job });
  return id;
}

/**
 * Inserts the job; null when it is a new series' job already dispatched to that runner (by this
 * process or another of a fleet: migration 010's unique index decides, not a read before).
 */
export async function insertJobUnlessDispatched(db: Db, job: NewJob, now: string): Promise<number | null> {
  const r = await db
    .insertInto('jobs')
    .values({
      version_key: job.versionKey,
      trigger: job.trigger,
      priority: job.priority,
      state: 'new',
      runner: job.runner,
      group_id: job.groupId ?? null,
      options: JSON.stringify(job.options ?? {}),
      attempts: 0,
      not_before: null,
      lease_owner: null,
      lease_expires_at: null,
      progress: null,
      outcome: null,
      summary: null,
      verdict: null,
      base: null,
      error: null,
      created_at: now,
      updated_at: now,
      started_at: null,
      finished_at: null,
      tree: null,
    })
    .onConflict((oc) => oc.doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!r) return null;
  // A group is named by its first job, whose id is only known now.
  if (job.groupId === undefined) await db.updateTable('jobs').set({ group_id: r.id }).where('id', '=', r.id).execute();
  return r.id;
}

export async function getJob(db: Db, id: number): Promise<JobRow | null> {
  const r = await db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? toJobRow(r) : null;
}

/** Sorts jobs in the order workers claim them (queue/policy.ts CLAIM_ORDER). */
function inClaimOrder<O>(q: SelectQueryBuilder<Database, 'jobs', O>): SelectQueryBuilder<Database, 'jobs', O> {
  return CLAIM_ORDER.reduce((acc, o) => acc.orderBy(o.column, o.direction), q);
}

/** Jobs in claim order (the order the queue is shown in). */
export async function listJobs(db: Db, opts: { active?: boolean; versionKey?: string } = {}): Promise<JobRow[]> {
  let q = db.selectFrom('jobs').selectAll();
  if (opts.active) q = q.where('state', '!=', 'done');
  if (opts.versionKey) q = q.where('version_key', '=', opts.versionKey);
  const rows = await inClaimOrder(q).execute();
  return rows.map(toJobRow);
}

/** Version keys that already have a job (any state): new versions are those without. */
export async function versionsWithJobs(db: Db): Promise<Set<string>> {
  const rows = await db.selectFrom('jobs').select('version_key').distinct().execute();
  return new Set(rows.map((r) => r.version_key));
}

/** How often a claim that lost its candidate to another worker looks again. */
const CLAIM_ATTEMPTS = 16;

/**
 * Claims the most urgent claimable job (queue/policy.ts: slot 'queued', in claim order): not
 * done, not leased (or lease expired), not held back by `not_before`. Null only when nothing is
 * claimable: workers of a fleet that pick the same candidate at once race for its lease, and the
 * loser looks again (a null would end its cycle with jobs still queued).
 */
export async function claimJob(
  db: Kysely<Database>,
  owner: string,
  now: Date,
  leaseMs: number,
): Promise<JobRow | null> {
  for (let i = 0; i < CLAIM_ATTEMPTS; i++) {
    const claimed = await claimOnce(db, owner, now, leaseMs);
    if (claimed !== 'lost') return claimed;
  }
  return null;
}

/** One look at the queue: the job claimed, null when none is claimable, 'lost' on a lost race. */
async function claimOnce(
  db: Kysely<Database>,
  owner: string,
  now: Date,
  leaseMs: number,
): Promise<JobRow | null | 'lost'> {
  const iso = now.toISOString();
  return db.transaction().execute(async (trx) => {
    const claimable = trx
      .selectFrom('jobs')
      .selectAll()
      .where('state', 'in', [...CLAIMABLE_STATES])
      .where((eb) => eb.or([eb('not_before', 'is', null), eb('not_before', '<=', iso)]))
      .where((eb) => eb.or([eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<', iso)]));
    const candidate = await inClaimOrder(claimable).limit(1).executeTakeFirst();
    if (!candidate) return null;
    const expires = new Date(now.getTime() + leaseMs).toISOString();
    const res = await trx
      .updateTable('jobs')
      .set({ lease_owner: owner, lease_expires_at: expires, updated_at: iso, started_at: candidate.started_at ?? iso })
      .where('id', '=', candidate.id)
      .where((eb) => eb.or([eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<', iso)]))
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) return 'lost';
    return toJobRow({
      ...candidate,
      lease_owner: owner,
      lease_expires_at: expires,
      started_at: candidate.started_at ?? iso,
    });
  });
}

/** Extends the lease while a long step runs; false if the lease was lost to another worker. */
export async function renewLease(db: Db, id: number, owner: string, now: Date, leaseMs: number): Promise<boolean> {
  const res = await db
    .updateTable('jobs')
    .set({ lease_expires_at: new Date(now.getTime() + leaseMs).toISOString() })
    .where('id', '=', id)
    .where('lease_owner', '=', owner)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export async function releaseLease(db: Db, id: number, owner: string): Promise<void> {
  await db
    .updateTable('jobs')
    .set({ lease_owner: null, lease_expires_at: null })
    .where('id', '=', id)
    .where('lease_owner', '=', owner)
    .execute();
}

export interface JobUpdate {
  state?: string;
  progress?: string | null;
  notBefore?: string | null;
  attempts?: number;
  outcome?: string | null;
  summary?: string | null;
  verdict?: string | null;
  base?: string | null;
  error?: string | null;
  finishedAt?: string | null;
}

export async function updateJob(db: Db, id: number, u: JobUpdate, now: string): Promise<void> {
  await db
    .updateTable('jobs')
    .set({
      updated_at: now,
      ...(u.state !== undefined && { state: u.state }),
      ...(u.progress !== undefined && { progress: u.progress }),
      ...(u.notBefore !== undefined && { not_before: u.notBefore }),
      ...(u.attempts !== undefined && { attempts: u.attempts }),
      ...(u.outcome !== undefined && { outcome: u.outcome }),
      ...(u.summary !== undefined && { summary: u.summary }),
      ...(u.verdict !== undefined && { verdict: u.verdict }),
      ...(u.base !== undefined && { base: u.base }),
      ...(u.error !== undefined && { error: u.error }),
      ...(u.finishedAt !== undefined && { finished_at: u.finishedAt }),
    })
    .where('id', '=', id)
    .execute();
}

/** The tree the job is routed to, recorded when its context is loaded (the series list filters by it). */
export async function setJobTree(db: Db, id: number, tree: string): Promise<void> {
  await db.updateTable('jobs').set({ tree }).where('id', '=', id).execute();
}

export async function getJobVerdict(db: Db, id: number): Promise<string | null> {
  const r = await db.selectFrom('jobs').select('verdict').where('id', '=', id).executeTakeFirst();
  return r?.verdict ?? null;
}

/** Wall time of finished jobs (started → finished), newest first: the basis of start estimates. */
export async function recentJobDurations(db: Db, limit = 20): Promise<number[]> {
  const rows = await db
    .selectFrom('jobs')
    .select(['started_at', 'finished_at'])
    .where('state', '=', 'done')
    .where('started_at', 'is not', null)
    .where('finished_at', 'is not', null)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  const out: number[] = [];
  for (const r of rows) {
    const d = Date.parse(r.finished_at ?? '') - Date.parse(r.started_at ?? '');
    if (Number.isFinite(d) && d >= 0) out.push(d);
  }
  return out;
}

/** The stored verdict records of every job of a series (any version), oldest first. */
export async function seriesJobVerdicts(db: Db, seriesKey: string): Promise<{ versionKey: string; verdict: string }[]> {
  const rows = await db
    .selectFrom('jobs')
    .innerJoin('series_versions', 'series_versions.version_key', 'jobs.version_key')
    .select(['jobs.version_key', 'jobs.verdict'])
    .where('series_versions.series_key', '=', seriesKey)
    .where('jobs.verdict', 'is not', null)
    .orderBy('jobs.id')
    .execute();
  return rows.flatMap((r) => (r.verdict === null ? [] : [{ versionKey: r.version_key, verdict: r.verdict }]));
}

/** The base record of a sibling in the job's group that already looked (siblings test one base). */
export async function groupBaseRecord(db: Db, groupId: number, exceptJob: number): Promise<string | null> {
  const r = await db
    .selectFrom('jobs')
    .select('base')
    .where('group_id', '=', groupId)
    .where('id', '!=', exceptJob)
    .where('base', 'is not', null)
    .orderBy('id')
    .executeTakeFirst();
  return r?.base ?? null;
}
