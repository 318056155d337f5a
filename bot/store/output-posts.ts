/**
 * Posts to the configured outputs (bot/outputs/): one row per (output, job, event), recorded
 * before anything is sent. Sending claims the row first (a conditional update that holds it back
 * for a while), so two workers never post the same row at once and a sender killed mid-post
 * leaves a row that is simply due again later. A failed attempt is recorded on the row, as a
 * reply's delivery is (replies.ts).
 */
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Database, OutputPostsTable } from './tables.ts';

type Db = Kysely<Database> | Transaction<Database>;

export type OutputEventKind = 'start' | 'result';

export interface OutputPostRow {
  id: number;
  output: string;
  jobId: number;
  event: OutputEventKind;
  state: string;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: string | null;
  detail: string | null;
  createdAt: string;
  sentAt: string | null;
  /** The job's state when the row was read: a result is only posted once the job is 'done'. */
  jobState: string;
}

type Row = Selectable<OutputPostsTable>;

function toPost(r: Row): Omit<OutputPostRow, 'jobState'> {
  return {
    id: r.id,
    output: r.output,
    jobId: r.job_id,
    event: r.event === 'start' ? 'start' : 'result',
    state: r.state,
    attempts: r.attempts,
    lastError: r.last_error,
    nextAttemptAt: r.next_attempt_at,
    detail: r.detail,
    createdAt: r.created_at,
    sentAt: r.sent_at,
  };
}

export interface NewOutputPost {
  output: string;
  jobId: number;
  event: OutputEventKind;
}

/** Records the posts unless already recorded; a row once written is never written again. */
export async function recordOutputPosts(db: Db, posts: NewOutputPost[], now: string): Promise<void> {
  for (const p of posts)
    await db
      .insertInto('output_posts')
      .values({
        output: p.output,
        job_id: p.jobId,
        event: p.event,
        state: 'pending',
        attempts: 0,
        last_error: null,
        next_attempt_at: null,
        detail: null,
        created_at: now,
        sent_at: null,
      })
      .onConflict((oc) => oc.columns(['output', 'job_id', 'event']).doNothing())
      .execute();
}

/** Pending posts due by `now` (optionally of one job), oldest first, with their job's state. */
export async function dueOutputPosts(db: Db, now: string, jobId?: number): Promise<OutputPostRow[]> {
  let q = db
    .selectFrom('output_posts as p')
    .innerJoin('jobs as j', 'j.id', 'p.job_id')
    .selectAll('p')
    .select('j.state as job_state')
    .where('p.state', '=', 'pending')
    .where((eb) => eb.or([eb('p.next_attempt_at', 'is', null), eb('p.next_attempt_at', '<=', now)]));
  if (jobId !== undefined) q = q.where('p.job_id', '=', jobId);
  const rows = await q.orderBy('p.id').execute();
  return rows.map((r) => ({ ...toPost(r), jobState: r.job_state }));
}

/**
 * Takes a due post for one attempt: holds it back until `holdUntil`, so no other worker takes it
 * meanwhile. False when another worker was first (or the post is no longer due).
 */
export async function claimOutputPost(db: Db, id: number, now: string, holdUntil: string): Promise<boolean> {
  const res = await db
    .updateTable('output_posts')
    .set({ next_attempt_at: holdUntil })
    .where('id', '=', id)
    .where('state', '=', 'pending')
    .where((eb) => eb.or([eb('next_attempt_at', 'is', null), eb('next_attempt_at', '<=', now)]))
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export async function markOutputPostSent(db: Db, id: number, detail: string, now: string): Promise<void> {
  await db
    .updateTable('output_posts')
    .set({ state: 'sent', detail, sent_at: now, next_attempt_at: null })
    .where('id', '=', id)
    .execute();
}

export interface OutputPostFailure {
  /** Failed attempts including this one. */
  attempts: number;
  error: string;
  nextAttemptAt: string | null;
  /** Given up: never retried automatically. */
  failed: boolean;
}

export async function recordOutputPostFailure(db: Db, id: number, f: OutputPostFailure): Promise<void> {
  await db
    .updateTable('output_posts')
    .set({
      attempts: f.attempts,
      last_error: f.error,
      next_attempt_at: f.failed ? null : f.nextAttemptAt,
      ...(f.failed && { state: 'failed' }),
    })
    .where('id', '=', id)
    .execute();
}

/** A start post not sent by the time the result is: posting it later would undo the result. */
export async function supersedeStartPosts(db: Db, jobId: number): Promise<void> {
  await db
    .updateTable('output_posts')
    .set({ state: 'superseded', next_attempt_at: null })
    .where('job_id', '=', jobId)
    .where('event', '=', 'start')
    .where('state', '=', 'pending')
    .execute();
}

/** True while an output's last failed post waits for its retry: new posts to it wait too. */
export async function outputBackingOff(db: Db, output: string, now: string): Promise<boolean> {
  const r = await db
    .selectFrom('output_posts')
    .select('id')
    .where('output', '=', output)
    .where('state', '=', 'pending')
    .where('attempts', '>', 0)
    .where('next_attempt_at', '>', now)
    .limit(1)
    .executeTakeFirst();
  return r !== undefined;
}

/** Every post of a job, for status views and tests. */
export async function jobOutputPosts(db: Db, jobId: number): Promise<Omit<OutputPostRow, 'jobState'>[]> {
  const rows = await db.selectFrom('output_posts').selectAll().where('job_id', '=', jobId).orderBy('id').execute();
  return rows.map(toPost);
}
