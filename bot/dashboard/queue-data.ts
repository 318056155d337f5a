/**
 * The data behind `/`: the queue as the workers see it (running, queued with start estimates,
 * waiting, infra-failed with the next retry) and the newest series versions with their outcome.
 * The same object is the page's JSON twin.
 */
import type { Kysely } from 'kysely';
import { queueStarts } from '../queue/estimate.ts';
import { expectedJobMs, slotOf, type QueueSlot } from '../queue/policy.ts';
import { listJobs, recentJobDurations, type JobRow } from '../store/jobs.ts';
import { invalidVersionKeys } from '../store/marks.ts';
import { recentVersions, versionSubjects } from '../store/read/queue.ts';
import type { Database } from '../store/tables.ts';

export type { QueueSlot } from '../queue/policy.ts';

export interface QueueJob {
  id: number;
  versionKey: string;
  subject: string | null;
  runner: string;
  trigger: string;
  priority: number;
  /** The state machine's state ("testing", "bisecting", ...). */
  state: string;
  slot: QueueSlot;
  progress: string | null;
  requestedBy: string | null;
  attempts: number;
  error: string | null;
  /** Queued: when it should start. Waiting and infra-failed: when it may be claimed again. */
  estimatedStart: string | null;
  notBefore: string | null;
  startedAt: string | null;
  createdAt: string;
}

export interface RecentJob {
  id: number;
  runner: string;
  state: string;
  outcome: string | null;
  summary: string | null;
}

export interface RecentVersion {
  versionKey: string;
  subject: string;
  revision: number;
  author: string;
  lastDate: string | null;
  complete: boolean;
  present: number;
  expected: number;
  /** The newest group's combined outcome; null while it runs or before any job. */
  outcome: string | null;
  /** The newest group's jobs, one per runner. */
  jobs: RecentJob[];
  /** Its report was withdrawn (#daxbot invalid). */
  invalid: boolean;
}

export interface QueueView {
  generatedAt: string;
  concurrency: number;
  meanJobMs: number;
  running: QueueJob[];
  queued: QueueJob[];
  waiting: QueueJob[];
  infraFailed: QueueJob[];
  recent: RecentVersion[];
}

/** Most telling first, as the group reply ranks them. */
const PRECEDENCE = ['regression', 'build-failed', 'apply-failed', 'pre-existing-only', 'pass', 'infra'];

export function combinedOutcome(outcomes: readonly (string | null)[]): string | null {
  // Unknown words (a newer outcome) rank after the known ones rather than vanish.
  const rank = (o: string): number => {
    const i = PRECEDENCE.indexOf(o);
    return i < 0 ? PRECEDENCE.length : i;
  };
  let best: string | null = null;
  for (const o of outcomes) if (o !== null && (best === null || rank(o) < rank(best))) best = o;
  return best;
}

export async function loadQueueView(
  db: Kysely<Database>,
  opts: { now: Date; concurrency: number; recentLimit?: number },
): Promise<QueueView> {
  const { now } = opts;
  const active = await listJobs(db, { active: true });
  const subjects = await versionSubjects(db, [...new Set(active.map((j) => j.versionKey))]);
  const jobMs = expectedJobMs(await recentJobDurations(db));
  // listJobs lists in claim order: the queue reads in the order workers take the jobs.
  const slotted = active.map((j) => ({ j, slot: slotOf(j, now) }));
  const starts = queueStarts(active, { now, concurrency: opts.concurrency, jobMs });
  const view = (j: JobRow, slot: QueueSlot): QueueJob => ({
    id: j.id,
    versionKey: j.versionKey,
    subject: subjects.get(j.versionKey) ?? null,
    runner: j.runner,
    trigger: j.trigger,
    priority: j.priority,
    state: j.state,
    slot,
    progress: j.progress,
    requestedBy: j.options.requestedBy ?? null,
    attempts: j.attempts,
    error: j.error,
    estimatedStart:
      slot === 'queued' ? (starts.get(j.id)?.toISOString() ?? null) : slot === 'running' ? null : j.notBefore,
    notBefore: j.notBefore,
    startedAt: j.startedAt,
    createdAt: j.createdAt,
  });
  const of = (slot: QueueSlot): QueueJob[] => slotted.filter((x) => x.slot === slot).map((x) => view(x.j, slot));
  return {
    generatedAt: now.toISOString(),
    concurrency: opts.concurrency,
    meanJobMs: Math.round(jobMs),
    running: of('running'),
    queued: of('queued'),
    waiting: of('waiting'),
    infraFailed: of('infra-failed'),
    recent: await loadRecentVersions(db, opts.recentLimit ?? 30),
  };
}

async function loadRecentVersions(db: Kysely<Database>, limit: number): Promise<RecentVersion[]> {
  const { versions: rows, jobs } = await recentVersions(db, limit);
  if (rows.length === 0) return [];
  const invalid = await invalidVersionKeys(db);
  return rows.map((r) => {
    const mine = jobs.filter((j) => j.version_key === r.version_key);
    // The newest dispatch is what the series stands at now; older groups are on its page.
    const newestGroup = mine.reduce((g, j) => Math.max(g, j.group_id ?? j.id), -1);
    const group = mine.filter((j) => (j.group_id ?? j.id) === newestGroup);
    const allDone = group.length > 0 && group.every((j) => j.state === 'done');
    return {
      versionKey: r.version_key,
      subject: r.subject,
      revision: r.revision,
      author: r.author,
      lastDate: r.last_date,
      complete: r.complete === 1,
      present: r.present,
      expected: r.expected,
      outcome: allDone ? combinedOutcome(group.map((j) => j.outcome)) : null,
      jobs: group.map((j) => ({ id: j.id, runner: j.runner, state: j.state, outcome: j.outcome, summary: j.summary })),
      invalid: invalid.has(r.version_key),
    };
  });
}
