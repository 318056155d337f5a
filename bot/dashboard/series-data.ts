/**
 * The data behind `/series/<version key>`: the version and its patches, each job with its
 * verdict, bisection and runs, the replies sent, the commands received and the marks they left.
 * The same object is the page's JSON twin.
 */
import type { Kysely } from 'kysely';
import { z } from 'zod';
import {
  baselineRunRows,
  seriesPageRows,
  type JobRunRow,
  type SeriesPageJob,
  type SeriesPageRows,
} from '../store/read/series.ts';
import type { Database } from '../store/tables.ts';
import { baseRecordView, type BaseRecordView } from '../jobs/base-record.ts';
import { slotOf } from '../queue/policy.ts';
import { loadVersionHistory, type HistoryVersion } from './history-data.ts';
import { jobStateFields, type JobStateFields } from './job-state.ts';
import {
  parseStored,
  storedJobVerdictSchema,
  storedVersionSchema,
  type StoredBisection,
  type StoredVerdict,
} from './stored-json.ts';

export interface SeriesPatchView {
  /** The patch's mail on the archive. */
  lore: string;
  counter: number;
  subject: string;
  from: string;
  messageId: string;
}

export interface SeriesRunView {
  /** The run number (one sequence with base runs): /runs/<id>. */
  id: number;
  step: string;
  role: string;
  patchLimit: number | null;
  failureClass: string;
  durationMs: number;
  summary: string;
  createdAt: string;
}

export interface BaselineRef {
  id: number;
  repeat: number;
  failureClass: string;
  durationMs: number;
}

export interface SeriesJobView extends JobStateFields {
  id: number;
  groupId: number;
  /** Suites and repeats the job was asked for (null: the runner's and schedule's defaults). */
  suites: string[] | null;
  repeats: number | null;
  attempts: number;
  error: string | null;
  notBefore: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  outcome: string | null;
  summary: string | null;
  /** The base commit the job tested on and why it was chosen; null before its verdict. */
  base: string | null;
  baseReason: string | null;
  /** What base discovery found and tried (jobs.base); null before it ran. */
  baseFound: BaseRecordView | null;
  testedSuites: string[];
  verdict: StoredVerdict | null;
  bisection: StoredBisection | null;
  runs: SeriesRunView[];
  /** The cached base runs its verdict compared against. */
  baselines: BaselineRef[];
}

export interface ReplyView {
  messageId: string;
  kind: string;
  outcome: string;
  state: string;
  mailed: boolean;
  subject: string;
  recipients: string[];
  jobId: number | null;
  createdAt: string;
  sentAt: string | null;
  headers: string;
  body: string;
}

export interface CommandView {
  id: string;
  from: string | null;
  text: string;
  action: string;
  decision: string;
  reason: string;
  jobId: number | null;
  createdAt: string;
}

export interface MarkView {
  kind: string;
  versionKey: string;
  crashTitle: string | null;
  markedBy: string;
  createdAt: string;
}

export interface SeriesView {
  versionKey: string;
  seriesKey: string;
  subject: string;
  revision: number;
  project: string;
  author: string;
  rootMessageId: string;
  coverMessageId: string | null;
  complete: boolean;
  present: number;
  expected: number;
  missing: number[];
  isRfc: boolean;
  firstDate: string | null;
  lastDate: string | null;
  /** The series' own base-commit trailer, if it has one. */
  baseCommitTrailer: string | null;
  patches: SeriesPatchView[];
  otherVersions: { versionKey: string; revision: number; subject: string }[];
  /** Every version of the series, oldest first, with its outcome and what changed (history-data.ts). */
  history: HistoryVersion[];
  /** The thread on the mail archive (dashboard.loreUrl + Message-ID), and this version as an mbox. */
  links: { thread: string; cover: string | null; mbox: string };
  jobs: SeriesJobView[];
  replies: ReplyView[];
  commands: CommandView[];
  marks: MarkView[];
}

const recipientsSchema = z.array(z.string()).catch([]);
const runSummarySchema = z.object({ summary: z.string().catch('') });

/** Splits a stored mail into its header block and its body (replies are 8bit plain text). */
export function splitMail(raw: string): { headers: string; body: string } {
  const m = /\r?\n\r?\n/.exec(raw);
  if (!m) return { headers: raw, body: '' };
  return { headers: raw.slice(0, m.index), body: raw.slice(m.index + m[0].length).replace(/\r\n/g, '\n') };
}

function baselineRefs(rows: { run_no: number; repeat: number; result: string; duration_ms: number }[]): BaselineRef[] {
  return rows.map((b) => ({
    id: b.run_no,
    repeat: b.repeat,
    failureClass: parseStored(z.object({ failureClass: z.string().catch('') }), b.result)?.failureClass ?? '',
    durationMs: b.duration_ms,
  }));
}

function runView(r: JobRunRow): SeriesRunView {
  return {
    id: r.run_no,
    step: r.step,
    role: r.role,
    patchLimit: r.patch_limit,
    failureClass: r.failure_class,
    durationMs: r.duration_ms,
    summary: parseStored(runSummarySchema, r.result)?.summary ?? '',
    createdAt: r.created_at,
  };
}

async function jobView(db: Kysely<Database>, p: SeriesPageJob, now: Date): Promise<SeriesJobView> {
  const j = p.job;
  const rec = parseStored(storedJobVerdictSchema, p.verdict);
  const baselines = rec?.base
    ? baselineRefs(await baselineRunRows(db, { runner: j.runner, treeCommit: rec.base, suites: rec.suites }))
    : [];
  return {
    id: j.id,
    groupId: j.groupId,
    ...jobStateFields(j, slotOf(j, now)),
    suites: j.options.suites ?? null,
    repeats: j.options.repeats ?? null,
    attempts: j.attempts,
    error: j.error,
    notBefore: j.notBefore,
    createdAt: j.createdAt,
    startedAt: j.startedAt,
    finishedAt: j.finishedAt,
    outcome: j.outcome,
    summary: j.summary,
    base: rec?.base ?? null,
    baseReason: rec ? rec.baseReason : null,
    baseFound: baseRecordView(j.base),
    testedSuites: rec?.suites ?? [],
    verdict: rec?.verdict ?? null,
    bisection: rec?.bisection ?? null,
    runs: p.runs.map(runView),
    baselines,
  };
}

function replyView(r: SeriesPageRows['replies'][number]): ReplyView {
  const parts = splitMail(r.raw);
  let recipients: unknown = [];
  try {
    recipients = JSON.parse(r.recipients);
  } catch {
    recipients = [];
  }
  return {
    messageId: r.message_id,
    kind: r.kind,
    outcome: r.outcome,
    state: r.state,
    mailed: r.mailed === 1,
    subject: r.subject,
    recipients: recipientsSchema.parse(recipients),
    jobId: r.job_id,
    createdAt: r.created_at,
    sentAt: r.sent_at,
    headers: parts.headers,
    body: parts.body,
  };
}

function commandView(c: SeriesPageRows['commands'][number]): CommandView {
  return {
    id: c.message_id,
    from: c.from_address,
    text: c.text,
    action: c.action,
    decision: c.decision,
    reason: c.reason,
    jobId: c.job_id,
    createdAt: c.created_at,
  };
}

function markView(m: SeriesPageRows['marks'][number]): MarkView {
  return {
    kind: m.kind,
    versionKey: m.version_key,
    crashTitle: m.crash_title,
    markedBy: m.marked_by,
    createdAt: m.created_at,
  };
}

/** A Message-ID's page on the archive: lore's /r/ redirector by default. */
export function loreLink(base: string, messageId: string): string {
  return `${base}${encodeURIComponent(messageId).replace(/%40/g, '@')}`;
}

export async function loadSeriesView(
  db: Kysely<Database>,
  versionKey: string,
  now: Date,
  loreUrl = 'https://lore.kernel.org/r/',
): Promise<SeriesView | null> {
  const page = await seriesPageRows(db, versionKey);
  if (!page) return null;
  const row = page.version;
  const data = parseStored(storedVersionSchema, row.data) ?? {
    patches: [],
    missing: [],
    isRfc: false,
    baseCommit: row.base_commit,
  };
  const jobs: SeriesJobView[] = [];
  for (const p of page.jobs) jobs.push(await jobView(db, p, now));
  return {
    versionKey: row.version_key,
    seriesKey: row.series_key,
    subject: row.subject,
    revision: row.revision,
    project: row.project,
    author: row.author,
    rootMessageId: row.root_message_id,
    coverMessageId: row.cover_message_id,
    complete: row.complete === 1,
    present: row.present,
    expected: row.expected,
    missing: data.missing,
    isRfc: data.isRfc,
    firstDate: row.first_date,
    lastDate: row.last_date,
    baseCommitTrailer: row.base_commit,
    patches: data.patches.map((p) => ({
      counter: p.counter,
      subject: p.subject,
      from: p.from.name ? `${p.from.name} <${p.from.address}>` : p.from.address,
      messageId: p.messageId,
      lore: loreLink(loreUrl, p.messageId),
    })),
    history: await loadVersionHistory(db, row.series_key, now),
    links: {
      thread: loreLink(loreUrl, row.root_message_id),
      cover: row.cover_message_id ? loreLink(loreUrl, row.cover_message_id) : null,
      mbox: `/series/${encodeURIComponent(row.version_key)}/mbox`,
    },
    otherVersions: page.others.map((o) => ({ versionKey: o.version_key, revision: o.revision, subject: o.subject })),
    jobs,
    replies: page.replies.map(replyView),
    commands: page.commands.map(commandView),
    marks: page.marks.map(markView),
  };
}
