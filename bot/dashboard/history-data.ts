/**
 * Every version of a series with where it stands, and what changed from the version before:
 * the patch subjects added, dropped and kept (a range-diff of subjects), and the verdict's turn
 * in words ("v3 fixes v2's regression", "v4 brings a build failure"). The series page shows it
 * and its JSON twin carries it. Pure apart from the one read.
 */
import type { Kysely } from 'kysely';
import { OUTCOME_PRECEDENCE } from '../store/read/series-list.ts';
import { seriesHistoryRows } from '../store/read/series.ts';
import type { Database } from '../store/tables.ts';
import { versionStatus } from './series-list-data.ts';
import { parseStored, storedVersionSchema } from './stored-json.ts';

export interface SubjectDiff {
  added: string[];
  dropped: string[];
  kept: number;
}

export interface HistoryVersion {
  versionKey: string;
  revision: number;
  subject: string;
  lastDate: string | null;
  /** The newest dispatch's combined outcome; "running", "queued" or "untested" otherwise. */
  status: string;
  /** Against the version before (null for the first). */
  change: { note: string | null; subjects: SubjectDiff } | null;
}

const BAD = new Set<string>(OUTCOME_PRECEDENCE.slice(0, 4));

/** "[PATCH v3 2/5] mm: x" and "mm: x" are the same patch across versions. */
export function normalSubject(subject: string): string {
  return subject
    .replace(/^\s*(\[[^\]]*\]\s*)+/, '')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

export function diffSubjects(before: readonly string[], after: readonly string[]): SubjectDiff {
  const old = new Set(before.map(normalSubject));
  const now = new Set(after.map(normalSubject));
  return {
    added: after.filter((s) => !old.has(normalSubject(s))),
    dropped: before.filter((s) => !now.has(normalSubject(s))),
    kept: after.filter((s) => old.has(normalSubject(s))).length,
  };
}

/** The verdict's turn from one version to the next, in words; null when nothing telling changed. */
export function outcomeNote(
  prev: { revision: number; status: string },
  cur: { revision: number; status: string },
): string | null {
  const was = BAD.has(prev.status);
  const is = BAD.has(cur.status);
  if (was && cur.status === 'pass') return `v${cur.revision} fixes v${prev.revision}'s ${prev.status}`;
  if (is && prev.status === 'pass') return `new in v${cur.revision}: ${cur.status} (v${prev.revision} passed)`;
  if (is && was && cur.status !== prev.status)
    return `v${cur.revision}: ${cur.status} (v${prev.revision}: ${prev.status})`;
  if (is && was) return `v${cur.revision} still has v${prev.revision}'s ${cur.status}`;
  return null;
}

export async function loadVersionHistory(
  db: Kysely<Database>,
  seriesKey: string,
  now: Date,
): Promise<HistoryVersion[]> {
  const { versions, jobs } = await seriesHistoryRows(db, seriesKey);
  const out: HistoryVersion[] = [];
  let prev: { revision: number; status: string; subjects: string[] } | null = null;
  for (const v of versions) {
    const subjects = (parseStored(storedVersionSchema, v.data)?.patches ?? []).map((p) => p.subject);
    const { status } = versionStatus(
      jobs.filter((j) => j.version_key === v.version_key),
      now,
    );
    const cur = { revision: v.revision, status, subjects };
    const change = prev ? { note: outcomeNote(prev, cur), subjects: diffSubjects(prev.subjects, subjects) } : null;
    out.push({
      versionKey: v.version_key,
      revision: v.revision,
      subject: v.subject,
      lastDate: v.last_date,
      status,
      change,
    });
    prev = cur;
  }
  return out;
}
