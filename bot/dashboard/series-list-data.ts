/**
 * The data behind `/series` (and its JSON twin `/series.json`): the query read from the URL
 * (schema-checked; a bad value is a 400 that names it), one page of series versions with where
 * each stands, the total, and the choices the filters offer. A search word with "@" and no
 * space is tried as a Message-ID first, then as a word of the subject or author. Where a version
 * stands is its newest dispatch's: the combined outcome when every job of it is done, else
 * "running" when a worker holds one of its jobs, else "queued"; "untested" with no job at all.
 */
import type { Kysely } from 'kysely';
import { z } from 'zod';
import {
  jobsOfVersions,
  OUTCOME_PRECEDENCE,
  seriesListChoices,
  seriesListRows,
  STATUS_FILTERS,
  type ListJobRow,
  type SeriesListQuery,
  type SeriesListRow,
} from '../store/read/series-list.ts';
import type { Database } from '../store/tables.ts';
import { HttpError } from './http-error.ts';

export const PER_PAGE = 50;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const optional = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? null : v.trim()));
const day = optional.refine((v) => v === null || DAY.test(v), 'a date as YYYY-MM-DD');

export const seriesQuerySchema = z.object({
  q: optional.pipe(z.string().max(500).nullable()),
  project: optional,
  tree: optional,
  runner: optional,
  outcome: optional.refine(
    (v) => v === null || ([...OUTCOME_PRECEDENCE, ...STATUS_FILTERS] as string[]).includes(v),
    'an outcome (regression, build-failed, apply-failed, pre-existing-only, pass, infra), untested or pending',
  ),
  from: day,
  to: day,
  sort: z.enum(['mail', 'tested']).default('mail'),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  per: z.coerce.number().int().min(1).max(200).default(PER_PAGE),
});
export type SeriesQuery = z.infer<typeof seriesQuerySchema>;

export function parseSeriesQuery(params: Record<string, string>): SeriesQuery {
  const r = seriesQuerySchema.safeParse(params);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new HttpError(400, `${issue?.path.join('.') || 'query'}: ${issue?.message ?? 'invalid'}`);
  }
  return r.data;
}

export interface ListJob {
  id: number;
  runner: string;
  state: string;
  outcome: string | null;
}

export interface SeriesListItem {
  id: number;
  versionKey: string;
  seriesKey: string;
  subject: string;
  revision: number;
  author: string;
  project: string;
  firstDate: string | null;
  lastDate: string | null;
  complete: boolean;
  present: number;
  expected: number;
  testedAt: string | null;
  /** An outcome when the newest dispatch is done; else "running", "queued" or "untested". */
  status: string;
  jobs: ListJob[];
}

export interface SeriesListView {
  query: SeriesQuery;
  total: number;
  page: number;
  pages: number;
  perPage: number;
  items: SeriesListItem[];
  choices: { projects: string[]; runners: string[]; trees: string[]; outcomes: string[] };
}

/** The most telling outcome of a dispatch's jobs (OUTCOME_PRECEDENCE; unknown words rank last). */
export function combinedOutcome(outcomes: readonly (string | null)[]): string | null {
  const rank = (o: string): number => {
    const i = (OUTCOME_PRECEDENCE as readonly string[]).indexOf(o);
    return i < 0 ? OUTCOME_PRECEDENCE.length : i;
  };
  let best: string | null = null;
  for (const o of outcomes) if (o !== null && (best === null || rank(o) < rank(best))) best = o;
  return best;
}

interface StatusJob {
  id: number;
  group_id: number | null;
  state: string;
  outcome: string | null;
  lease_expires_at: string | null;
}

/**
 * Where a version stands, from its jobs: its newest dispatch's combined outcome once every job
 * of it is done; else "running" when a worker holds one of them, "queued" when none does yet;
 * "untested" with no job. Also the newest dispatch's jobs.
 */
export function versionStatus<J extends StatusJob>(jobs: J[], now: Date): { status: string; group: J[] } {
  if (jobs.length === 0) return { status: 'untested', group: [] };
  const newest = jobs.reduce((g, j) => Math.max(g, j.group_id ?? j.id), -1);
  const group = jobs.filter((j) => (j.group_id ?? j.id) === newest);
  if (group.every((j) => j.state === 'done'))
    return { status: combinedOutcome(group.map((j) => j.outcome)) ?? 'done', group };
  const held = group.some((j) => j.lease_expires_at !== null && Date.parse(j.lease_expires_at) > now.getTime());
  return { status: held ? 'running' : 'queued', group };
}

export function listItem(r: SeriesListRow, jobs: ListJobRow[], now: Date): SeriesListItem {
  const { status, group } = versionStatus(
    jobs.filter((j) => j.version_key === r.version_key),
    now,
  );
  return {
    id: r.id,
    versionKey: r.version_key,
    seriesKey: r.series_key,
    subject: r.subject,
    revision: r.revision,
    author: r.author,
    project: r.project,
    firstDate: r.first_date,
    lastDate: r.last_date,
    complete: r.complete === 1,
    present: r.present,
    expected: r.expected,
    testedAt: r.tested_at,
    status,
    jobs: group.map((j) => ({ id: j.id, runner: j.runner, state: j.state, outcome: j.outcome })),
  };
}

function storeQuery(q: SeriesQuery, asMessageId: boolean): SeriesListQuery {
  const text = q.q ?? '';
  return {
    words: asMessageId ? [] : text.split(/\s+/).filter(Boolean).slice(0, 10),
    messageId: asMessageId ? text.replace(/^<(.*)>$/, '$1') : null,
    project: q.project,
    tree: q.tree,
    runner: q.runner,
    outcome: q.outcome,
    from: q.from,
    to: q.to,
    sort: q.sort,
    offset: (q.page - 1) * q.per,
    limit: q.per,
  };
}

/** One page of versions (the rows, their newest jobs), the total and the filter choices. */
export async function loadSeriesListView(db: Kysely<Database>, q: SeriesQuery, now: Date): Promise<SeriesListView> {
  const idLike = q.q !== null && /^<?[^\s<>]+@[^\s<>]+>?$/.test(q.q);
  let found = await seriesListRows(db, storeQuery(q, idLike));
  if (idLike && found.total === 0) found = await seriesListRows(db, storeQuery(q, false));
  const jobs = await jobsOfVersions(
    db,
    found.rows.map((r) => r.version_key),
  );
  const items = found.rows.map((r) => listItem(r, jobs, now));
  const choices = await seriesListChoices(db);
  return {
    query: q,
    total: found.total,
    page: q.page,
    pages: Math.max(1, Math.ceil(found.total / q.per)),
    perPage: q.per,
    items,
    choices: { ...choices, outcomes: [...OUTCOME_PRECEDENCE, ...STATUS_FILTERS] },
  };
}
