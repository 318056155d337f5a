/**
 * `daxbot status`: the queue as rows (the --json contract) and as tables for people: each job
 * with its state, runner, series subject, when it started or will start (UTC, and how far from
 * now), its progress or result; then the replies whose delivery failed. Pure.
 */
import type { JobRow } from '../store/jobs.ts';
import type { ReplyRow } from '../store/replies.ts';
import { heldBack, slotOf } from '../queue/policy.ts';
import { formatTable, relativeTime, utcMinute } from './output.ts';

export interface StatusInput {
  jobs: JobRow[];
  now: Date;
  /** Estimated starts of the queued jobs (queue/estimate.ts). */
  starts: Map<number, Date>;
  /** Versions whose report was withdrawn (#daxbot invalid): results are not mailed. */
  invalid: Set<string>;
  /** Subject and revision of each version key. */
  series: Map<string, { subject: string; revision: number }>;
}

/** Claimable jobs show as queued, whatever step they will resume at (queue/policy.ts). */
function displayState(j: JobRow, now: Date): string {
  return slotOf(j, now) === 'queued' ? 'queued' : j.state;
}

/** The stable JSON shape of one job in `status --json`: part of the CLI contract. */
export function statusRows(i: StatusInput) {
  return i.jobs.map((j) => ({
    id: j.id,
    series: j.versionKey,
    subject: i.series.get(j.versionKey)?.subject ?? null,
    revision: i.series.get(j.versionKey)?.revision ?? null,
    runner: j.runner,
    state: displayState(j, i.now),
    priority: j.priority,
    trigger: j.trigger,
    progress: j.progress,
    outcome: j.outcome,
    summary: j.summary,
    invalid: i.invalid.has(j.versionKey),
    createdAt: j.createdAt,
    startedAt: j.startedAt,
    finishedAt: j.finishedAt,
    estimatedStart: i.starts.get(j.id)?.toISOString() ?? (heldBack(j, i.now) ? j.notBefore : null),
  }));
}

export type StatusRow = ReturnType<typeof statusRows>[number];

/** The JSON shape of a reply the mail server refused, in `status --json`. */
export function undeliveredRow(r: ReplyRow) {
  return {
    messageId: r.messageId,
    kind: r.kind,
    series: r.versionKey,
    state: r.state === 'failed' ? 'failed' : 'retrying',
    attempts: r.attempts,
    lastError: r.lastError,
    nextAttemptAt: r.nextAttemptAt,
  };
}

function when(r: StatusRow, now: Date): string {
  if (r.state === 'done') return `finished ${utcMinute(r.finishedAt)}`;
  if (r.estimatedStart) return `starts ${utcMinute(r.estimatedStart)} (${relativeTime(r.estimatedStart, now)})`;
  if (r.startedAt) return `started ${utcMinute(r.startedAt)}`;
  return `queued ${utcMinute(r.createdAt)}`;
}

export function statusTable(rows: StatusRow[], now: Date, width?: number): string[] {
  if (rows.length === 0) return ['no jobs'];
  return formatTable(
    [
      { header: 'JOB', value: (r) => `#${r.id}`, align: 'right' },
      { header: 'STATE', value: (r) => r.state },
      { header: 'PRIO', value: (r) => String(r.priority), align: 'right' },
      { header: 'RUNNER', value: (r) => r.runner },
      { header: 'WHEN (UTC)', value: (r) => when(r, now) },
      {
        header: 'SERIES',
        value: (r) =>
          `${r.subject ?? r.series}${r.revision ? ` (v${r.revision})` : ''}${r.invalid ? ' [withdrawn]' : ''}`,
        max: 60,
      },
      {
        header: 'PROGRESS / RESULT',
        value: (r: StatusRow) => (r.outcome ? `${r.outcome}: ${r.summary ?? ''}` : (r.progress ?? '')),
      },
    ],
    rows,
    width,
  );
}

export function undeliveredTable(rows: ReturnType<typeof undeliveredRow>[], now: Date, width?: number): string[] {
  if (rows.length === 0) return [];
  const next = (u: (typeof rows)[number]): string =>
    u.state === 'retrying' && u.nextAttemptAt
      ? `${utcMinute(u.nextAttemptAt)} (${relativeTime(u.nextAttemptAt, now)})`
      : 'not retried';
  return [
    '',
    'replies not delivered:',
    ...formatTable(
      [
        { header: 'REPLY', value: (u) => `<${u.messageId}>` },
        { header: 'STATE', value: (u) => u.state },
        { header: 'KIND', value: (u) => u.kind },
        { header: 'ATTEMPTS', value: (u) => String(u.attempts), align: 'right' },
        { header: 'NEXT ATTEMPT (UTC)', value: next },
        { header: 'LAST ERROR', value: (u: (typeof rows)[number]) => u.lastError ?? '' },
      ],
      rows,
      width,
    ),
  ];
}
