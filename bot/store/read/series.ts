/**
 * Read models of the dashboard's series page (`/series/<version key>`): the version row, its
 * other versions, each job with its verdict record and runs, the cached base runs a verdict was
 * compared with, and the replies, commands and marks of the version. Rows only, as stored;
 * dashboard/series-data.ts parses the JSON columns and shapes the view.
 */
import type { Kysely, Selectable } from 'kysely';
import { listJobs, type JobRow } from '../jobs.ts';
import type { CommandMarksTable, CommandsTable, Database, RepliesTable, SeriesVersionsTable } from '../tables.ts';

export interface JobRunRow {
  id: number;
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
      .select(['id', 'step', 'role', 'patch_limit', 'failure_class', 'duration_ms', 'created_at', 'result'])
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
): Promise<{ id: number; repeat: number; result: string; duration_ms: number }[]> {
  return db
    .selectFrom('baselines')
    .select(['id', 'repeat', 'result', 'duration_ms'])
    .where('runner', '=', key.runner)
    .where('tree_commit', '=', key.treeCommit)
    .where('suites', '=', [...key.suites].sort().join(','))
    .orderBy('repeat')
    .execute();
}
