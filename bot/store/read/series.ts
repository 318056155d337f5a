/**
 * Read models of the dashboard's series page (`/series/<version key>`): the version row, its
 * other versions, each job with its verdict record and runs, the cached base runs a verdict was
 * compared with, and the replies, commands and marks of the version. Rows only, as stored;
 * dashboard/series-data.ts parses the JSON columns and shapes the view.
 */
import type { Kysely, Selectable } from 'kysely';
import { listJobs, type JobRow } from '../jobs.ts';
import { LIST_JOB_COLUMNS, type ListJobRow } from './series-list.ts';
import type { CommandMarksTable, CommandsTable, Database, RepliesTable, SeriesVersionsTable } from '../tables.ts';

export interface JobRunRow {
  id: number;
  run_no: number;
  step: string;
  role: string;
  patch_limit: number | null;
  failure_class: string;
  duration_ms: number;
  created_at: string;
  result: string;
}

export interface SeriesPageJob {
  job: JobRow;
  /** The verdict record JSON (jobs/group-plan.ts VerdictRecord), null before the verdict. */
  verdict: string | null;
  runs: JobRunRow[];
}

export interface SeriesPageRows {
  version: Selectable<SeriesVersionsTable>;
  others: { version_key: string; revision: number; subject: string }[];
  /** Oldest first: the page reads as the history of the version. */
  jobs: SeriesPageJob[];
  replies: Selectable<RepliesTable>[];
  commands: Selectable<CommandsTable>[];
  /** "unrelated" marks of every version of the series, "invalid" marks of this version. */
  marks: Selectable<CommandMarksTable>[];
}

async function pageJobs(db: Kysely<Database>, versionKey: string): Promise<SeriesPageJob[]> {
  const out: SeriesPageJob[] = [];
  for (const job of [...(await listJobs(db, { versionKey }))].sort((a, b) => a.id - b.id)) {
    const stored = await db.selectFrom('jobs').select('verdict').where('id', '=', job.id).executeTakeFirst();
    const runs = await db
      .selectFrom('runs')
      .select(['id', 'run_no', 'step', 'role', 'patch_limit', 'failure_class', 'duration_ms', 'created_at', 'result'])
      .where('job_id', '=', job.id)
      .orderBy('id')
      .execute();
    out.push({ job, verdict: stored?.verdict ?? null, runs });
  }
  return out;
}

export async function seriesPageRows(db: Kysely<Database>, versionKey: string): Promise<SeriesPageRows | null> {
  const version = await db
    .selectFrom('series_versions')
    .selectAll()
    .where('version_key', '=', versionKey)
    .executeTakeFirst();
  if (!version) return null;
  const others = await db
    .selectFrom('series_versions')
    .select(['version_key', 'revision', 'subject'])
    .where('series_key', '=', version.series_key)
    .where('version_key', '!=', versionKey)
    .orderBy('revision')
    .orderBy('id')
    .execute();
  const replies = await db
    .selectFrom('replies')
    .selectAll()
    .where('version_key', '=', versionKey)
    .orderBy('id')
    .execute();
  const commands = await db
    .selectFrom('commands')
    .selectAll()
    .where('version_key', '=', versionKey)
    .orderBy('id')
    .execute();
  const marks = await db
    .selectFrom('command_marks')
    .selectAll()
    .where((eb) =>
      eb.or([
        eb('version_key', '=', versionKey),
        eb.and([eb('series_key', '=', version.series_key), eb('kind', '=', 'unrelated')]),
      ]),
    )
    .orderBy('id')
    .execute();
  return { version, others, jobs: await pageJobs(db, versionKey), replies, commands, marks };
}

/** The cached base runs of a runner on a commit with these suites, in repeat order. */
export async function baselineRunRows(
  db: Kysely<Database>,
  key: { runner: string; treeCommit: string; suites: readonly string[] },
): Promise<{ id: number; run_no: number; repeat: number; result: string; duration_ms: number }[]> {
  return db
    .selectFrom('baselines')
    .select(['id', 'run_no', 'repeat', 'result', 'duration_ms'])
    .where('runner', '=', key.runner)
    .where('tree_commit', '=', key.treeCommit)
    .where('suites', '=', [...key.suites].sort().join(','))
    .orderBy('repeat')
    .execute();
}

/**
 * The version a reference names: its version key, its numeric id, or any of its Message-IDs
 * (root, cover letter, a patch; with or without angle brackets). Several versions sharing a
 * Message-ID (a thread root reused by a resend): the newest. Null when none matches.
 */
export async function resolveVersionRef(db: Kysely<Database>, ref: string): Promise<string | null> {
  const byKey = await db
    .selectFrom('series_versions')
    .select('version_key')
    .where('version_key', '=', ref)
    .executeTakeFirst();
  if (byKey) return byKey.version_key;
  const clean = ref.replace(/^<(.*)>$/, '$1');
  if (/^\d{1,15}$/.test(clean)) {
    const byId = await db
      .selectFrom('series_versions')
      .select('version_key')
      .where('id', '=', Number(clean))
      .executeTakeFirst();
    if (byId) return byId.version_key;
  }
  const byMessage = await db
    .selectFrom('series_versions')
    .select('version_key')
    .where((eb) =>
      eb.or([
        eb(
          'version_key',
          'in',
          eb.selectFrom('version_messages').select('version_key').where('message_id', '=', clean),
        ),
        eb('thread_root_id', '=', clean),
      ]),
    )
    .orderBy('revision', 'desc')
    .orderBy('id', 'desc')
    .executeTakeFirst();
  return byMessage?.version_key ?? null;
}

export interface HistoryVersionRow {
  version_key: string;
  revision: number;
  subject: string;
  first_date: string | null;
  last_date: string | null;
  data: string;
}

/** A job of the history: a list page's job row and its verdict. */
export interface HistoryJobRow extends ListJobRow {
  verdict: string | null;
}

/** Every version of a series (oldest revision first) and every job of theirs (oldest first). */
export async function seriesHistoryRows(
  db: Kysely<Database>,
  seriesKey: string,
): Promise<{ versions: HistoryVersionRow[]; jobs: HistoryJobRow[] }> {
  const versions = await db
    .selectFrom('series_versions')
    .select(['version_key', 'revision', 'subject', 'first_date', 'last_date', 'data'])
    .where('series_key', '=', seriesKey)
    .orderBy('revision')
    .orderBy('id')
    .execute();
  if (versions.length === 0) return { versions, jobs: [] };
  const jobs = await db
    .selectFrom('jobs')
    .select([...LIST_JOB_COLUMNS, 'verdict'])
    .where(
      'version_key',
      'in',
      versions.map((v) => v.version_key),
    )
    .orderBy('id')
    .execute();
  return { versions, jobs };
}
