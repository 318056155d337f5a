/**
 * The queue's one policy, pure: how urgent a job is, which job a worker claims next, where a
 * job stands for someone looking at the queue, and how long a job is expected to take. Claiming
 * (store/jobs.ts claimJob), listing (`daxbot status`, the dashboard) and the start estimates
 * (estimate.ts) all follow it, so the order a person sees is the order workers take jobs in.
 */
import type { JobState } from '../jobs/plan.ts';

/** A series version seen for the first time. */
export const PRIORITY_NEW = 0;
/** A re-run a maintainer asked for (mail command, CLI, dashboard): ahead of new series. */
export const PRIORITY_RERUN = 10;

/** Highest priority first, then oldest (the lowest id): claimJob and listJobs sort by it. */
export const CLAIM_ORDER = [
  { column: 'priority', direction: 'desc' },
  { column: 'id', direction: 'asc' },
] as const;

/** CLAIM_ORDER as a comparator, for jobs already read. */
export function byClaimOrder(a: { priority: number; id: number }, b: { priority: number; id: number }): number {
  return b.priority - a.priority || a.id - b.id;
}

/** States a job can be claimed in: everything but done (a claimed job resumes where it was). */
export const CLAIMABLE_STATES: readonly JobState[] = [
  'new',
  'waiting',
  'queued',
  'applying',
  'building',
  'testing',
  'judging',
  'bisecting',
  'reporting',
  'infra-failed',
];

/** Where a job stands for a person looking at the queue (not the state machine's finer state). */
export type QueueSlot = 'running' | 'queued' | 'waiting' | 'infra-failed' | 'done';

export interface QueueFacts {
  state: string;
  leaseExpiresAt: string | null;
  notBefore: string | null;
}

/**
 * The slot of a job at `now`: a live lease means a worker holds it; a `not_before` in the future
 * holds it back (waiting for the rest of a series, or an infrastructure retry's backoff); any
 * other job that is not done is claimable, which is what claimJob's conditions say in SQL.
 */
export function slotOf(j: QueueFacts, now: Date): QueueSlot {
  if (j.state === 'done') return 'done';
  if (j.leaseExpiresAt !== null && Date.parse(j.leaseExpiresAt) > now.getTime()) return 'running';
  const held = heldBack(j, now);
  if (held && j.state === 'infra-failed') return 'infra-failed';
  if (held) return 'waiting';
  return 'queued';
}

/** Not to be claimed before `not_before` (the rest of a series, a retry's backoff): then it may start. */
export function heldBack(j: Pick<QueueFacts, 'notBefore'>, now: Date): boolean {
  return j.notBefore !== null && Date.parse(j.notBefore) > now.getTime();
}

/** A job's expected length before any job has finished to learn from. */
export const DEFAULT_JOB_MS = 20 * 60_000;

/** The expected length of a job: the mean of recent jobs' durations (store/jobs.ts recentJobDurations). */
export function expectedJobMs(durations: readonly number[]): number {
  if (durations.length === 0) return DEFAULT_JOB_MS;
  return durations.reduce((a, b) => a + b, 0) / durations.length;
}
