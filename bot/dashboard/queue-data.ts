/**
 * The data behind `/`: the queue as the workers see it (running, queued with start estimates,
 * waiting, infra-failed with the next retry) and the series versions tested most recently.
 * The same object is the page's JSON twin.
 */
import type { Kysely } from 'kysely';
import { queueStarts } from '../queue/estimate.ts';
import { expectedJobMs, slotOf, type QueueSlot } from '../queue/policy.ts';
import { listJobs, recentJobDurations, type JobRow } from '../store/jobs.ts';
import { invalidVersionKeys } from '../store/marks.ts';
import { versionSubjects } from '../store/read/queue.ts';
import { jobsOfVersions, seriesListRows } from '../store/read/series-list.ts';
import { jobStateFields, type JobStateFields } from './job-state.ts';
import { listItem } from './series-list-data.ts';
import type { Database } from '../store/tables.ts';

export type { QueueSlot } from '../queue/policy.ts';

export interface QueueJob extends JobStateFields {
  id: number;
  versionKey: string;
  subject: string | null;
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
  /** When its newest job started or finished. */
  testedAt: string | null;
  complete: boolean;
  present: number;
  expected: number;
  /** The newest group's combined outcome; null while it runs or before any job. */
  outcome: string | null;
  /** That outcome, or "running" / "queued" while the group is unfinished. */
  status: string;
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
    ...jobStateFields(j, slot),
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
    recent: await loadRecentVersions(db, opts.recentLimit ?? 30, now),
  };
}

/** The versions tested most recently (by their newest job's start or end), newest first. */
async function loadRecentVersions(db: Kysely<Database>, limit: number, now: Date): Promise<RecentVersion[]> {
  const query = { words: [], messageId: null, project: null, tree: null, runner: null, outcome: null };
  const { rows } = await seriesListRows(db, { ...query, from: null, to: null, sort: 'tested', offset: 0, limit });
  if (rows.length === 0) return [];
  const jobs = await jobsOfVersions(
    db,
    rows.map((r) => r.version_key),
  );
  const invalid = await invalidVersionKeys(db);
  return rows.map((r) => {
    const item = listItem(r, jobs, now);
    return {
      versionKey: r.version_key,
      subject: r.subject,
      revision: r.revision,
      author: r.author,
      lastDate: r.last_date,
      testedAt: r.tested_at,
      complete: r.complete === 1,
      present: r.present,
      expected: r.expected,
      status: item.status,
      outcome: r.all_done === 1 ? item.status : null,
      jobs: jobs
        .filter((j) => item.jobs.some((g) => g.id === j.id))
        .map((j) => ({ id: j.id, runner: j.runner, state: j.state, outcome: j.outcome, summary: j.summary })),
      invalid: invalid.has(r.version_key),
    };
  });
}
