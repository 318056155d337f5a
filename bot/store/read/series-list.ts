/**
 * Read model of the dashboard's series list (`/series`, and the front page's "recently tested"):
 * series versions found by words of their subject or author, by any of their Message-IDs, and
 * filtered by project, the tree and runner their jobs ran on, their outcome and a date range;
 * sorted by newest mail or newest test; a page at a time with the total. Where a version stands
 * is its newest job group's: the combined outcome once every job of it is done, else pending.
 * One SQL statement per page (portable: SQLite and PostgreSQL), over indexes (migration 009).
 */
import { sql, type Expression, type ExpressionBuilder, type Kysely, type SqlBool } from 'kysely';
import type { Database, SeriesVersionsTable } from '../tables.ts';

/** Most telling first, as the group reply ranks them; unknown outcomes rank after these. */
export const OUTCOME_PRECEDENCE = [
  'regression',
  'build-failed',
  'apply-failed',
  'pre-existing-only',
  'pass',
  'infra',
] as const;

/** Outcome filters besides the outcomes: not tested at all, or its newest group not finished. */
export const STATUS_FILTERS = ['untested', 'pending'] as const;

export interface SeriesListQuery {
  /** Words that must each appear in the subject or the author (case-insensitive). */
  words: string[];
  /** A Message-ID (or version key) the version must have. */
  messageId: string | null;
  project: string | null;
  tree: string | null;
  runner: string | null;
  outcome: string | null;
  /** Mail dates (YYYY-MM-DD, both days included). */
  from: string | null;
  to: string | null;
  sort: 'mail' | 'tested';
  offset: number;
  limit: number;
}

export interface SeriesListRow {
  id: number;
  version_key: string;
  series_key: string;
  subject: string;
  revision: number;
  author: string;
  project: string;
  first_date: string | null;
  last_date: string | null;
  complete: number;
  present: number;
  expected: number;
  /** When its newest job started or finished; null when never run. */
  tested_at: string | null;
  /** 1 when every job of its newest group is done; null with no job. */
  all_done: number | null;
  /** OUTCOME_PRECEDENCE index of the newest group's best outcome (its length: another word). */
  best_rank: number | null;
}

const RANK = sql<number>`min(case j.outcome ${sql.join(
  OUTCOME_PRECEDENCE.map((o, i) => sql`when ${sql.lit(o)} then ${sql.lit(i)}`),
  sql` `,
)} else ${sql.lit(OUTCOME_PRECEDENCE.length)} end)`;

/** Per version: its newest group's completion and best outcome, and its newest test time. */
function withStatus(db: Kysely<Database>) {
  return db
    .with('newest', (d) =>
      d
        .selectFrom('jobs')
        .select((eb) => [
          'version_key',
          eb.fn.max(eb.fn.coalesce('group_id', 'id')).as('grp'),
          eb.fn.max(eb.fn.coalesce('finished_at', 'started_at')).as('tested_at'),
        ])
        .groupBy('version_key'),
    )
    .with('status', (d) =>
      d
        .selectFrom('jobs as j')
        .innerJoin('newest as n', (join) =>
          join.onRef('n.version_key', '=', 'j.version_key').on(sql`coalesce(j.group_id, j.id)`, '=', sql.ref('n.grp')),
        )
        .select([
          'j.version_key',
          sql<string | null>`max(n.tested_at)`.as('tested_at'),
          sql<number>`min(case when j.state = 'done' then 1 else 0 end)`.as('all_done'),
          RANK.as('best_rank'),
        ])
        .groupBy('j.version_key'),
    );
}

interface StatusRow {
  version_key: string | null;
  tested_at: string | null;
  all_done: number | null;
  best_rank: number | null;
}
/** The filters' view of the query: the version row and its status (null columns: no job). */
type Eb = ExpressionBuilder<Database & { sv: SeriesVersionsTable; s: StatusRow }, 'sv' | 's'>;

function likePattern(word: string): string {
  return `%${word.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function outcomeCondition(eb: Eb, outcome: string): Expression<SqlBool> {
  if (outcome === 'untested') return eb('s.version_key', 'is', null);
  if (outcome === 'pending') return eb('s.all_done', '=', 0);
  const rank = (OUTCOME_PRECEDENCE as readonly string[]).indexOf(outcome);
  return eb.and([eb('s.all_done', '=', 1), eb('s.best_rank', '=', rank < 0 ? OUTCOME_PRECEDENCE.length : rank)]);
}

function jobHas(eb: Eb, column: 'runner' | 'tree', value: string): Expression<SqlBool> {
  return eb.exists(
    eb
      .selectFrom('jobs as jj')
      .select('jj.id')
      .whereRef('jj.version_key', '=', 'sv.version_key')
      .where(`jj.${column}`, '=', value),
  );
}

function conditions(eb: Eb, q: SeriesListQuery): Expression<SqlBool> {
  const all: Expression<SqlBool>[] = [];
  for (const w of q.words) {
    const p = likePattern(w);
    all.push(
      eb.or([
        sql<SqlBool>`lower(sv.subject) like ${p} escape '\\'`,
        sql<SqlBool>`lower(sv.author) like ${p} escape '\\'`,
      ]),
    );
  }
  if (q.messageId !== null) {
    const id = q.messageId;
    all.push(
      eb.or([
        eb('sv.version_key', '=', id),
        eb(
          'sv.version_key',
          'in',
          eb.selectFrom('version_messages').select('version_key').where('message_id', '=', id),
        ),
      ]),
    );
  }
  if (q.project !== null) all.push(eb('sv.project', '=', q.project));
  if (q.runner !== null) all.push(jobHas(eb, 'runner', q.runner));
  if (q.tree !== null) all.push(jobHas(eb, 'tree', q.tree));
  if (q.outcome !== null) all.push(outcomeCondition(eb, q.outcome));
  if (q.from !== null) all.push(eb('sv.last_date', '>=', q.from));
  // Dates are ISO timestamps: everything on the `to` day sorts before the next day.
  if (q.to !== null) all.push(eb('sv.first_date', '<', nextDay(q.to)));
  if (q.sort === 'tested') all.push(eb('s.tested_at', 'is not', null));
  return eb.and(all);
}

function nextDay(day: string): string {
  const t = Date.parse(`${day}T00:00:00.000Z`);
  return Number.isNaN(t) ? day : new Date(t + 86_400_000).toISOString().slice(0, 10);
}

function filtered(db: Kysely<Database>, q: SeriesListQuery) {
  return (
    withStatus(db)
      .selectFrom('series_versions as sv')
      .leftJoin('status as s', 's.version_key', 'sv.version_key')
      // The builder's own type names the CTEs too; the filters need only these two tables.
      .where((eb) => conditions(eb as unknown as Eb, q))
  );
}

/** One page of the list and the number of versions that match. */
export async function seriesListRows(
  db: Kysely<Database>,
  q: SeriesListQuery,
): Promise<{ rows: SeriesListRow[]; total: number }> {
  const base = filtered(db, q);
  const ordered =
    q.sort === 'tested'
      ? base.orderBy(sql`s.tested_at desc nulls last`).orderBy('sv.id', 'desc')
      : base.orderBy(sql`sv.last_date desc nulls last`).orderBy('sv.id', 'desc');
  const rows = await ordered
    .select([
      'sv.id',
      'sv.version_key',
      'sv.series_key',
      'sv.subject',
      'sv.revision',
      'sv.author',
      'sv.project',
      'sv.first_date',
      'sv.last_date',
      'sv.complete',
      'sv.present',
      'sv.expected',
      's.tested_at',
      's.all_done',
      's.best_rank',
    ])
    .limit(q.limit)
    .offset(q.offset)
    .execute();
  const count = await base.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirst();
  return { rows, total: Number(count?.n ?? 0) };
}

/** The choices the filters offer: projects, runners and trees that occur in the store. */
export async function seriesListChoices(
  db: Kysely<Database>,
): Promise<{ projects: string[]; runners: string[]; trees: string[] }> {
  const projects = await db.selectFrom('series_versions').select('project').distinct().orderBy('project').execute();
  const runners = await db.selectFrom('jobs').select('runner').distinct().orderBy('runner').execute();
  const trees = await db.selectFrom('jobs').select('tree').distinct().where('tree', 'is not', null).execute();
  return {
    projects: projects.map((r) => r.project),
    runners: runners.map((r) => r.runner),
    trees: trees.flatMap((r) => (r.tree === null ? [] : [r.tree])).sort(),
  };
}

export interface ListJobRow {
  id: number;
  version_key: string;
  group_id: number | null;
  runner: string;
  state: string;
  outcome: string | null;
  summary: string | null;
  lease_expires_at: string | null;
  not_before: string | null;
}

/** The columns of a ListJobRow: what a page shows of a job beside its version. */
export const LIST_JOB_COLUMNS = [
  'id',
  'version_key',
  'group_id',
  'runner',
  'state',
  'outcome',
  'summary',
  'lease_expires_at',
  'not_before',
] as const;

/** Every job of these versions, oldest first (the page shows each version's newest group). */
export async function jobsOfVersions(db: Kysely<Database>, versionKeys: readonly string[]): Promise<ListJobRow[]> {
  if (versionKeys.length === 0) return [];
  return db
    .selectFrom('jobs')
    .select(LIST_JOB_COLUMNS)
    .where('version_key', 'in', [...versionKeys])
    .orderBy('id')
    .execute();
}
