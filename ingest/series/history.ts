import type { SeriesVersion } from './types.ts';

/*
 * Links revisions sent in separate threads (v2 as a fresh thread, as most people do) into one
 * series. A shared change-id (b4 prep puts one in every cover) is proof; without one, the same
 * author re-sending the same cover or patch subjects with a higher revision counts, which is how
 * b4 looks for newer revisions (a subject search limited to the author). A RESEND of the same
 * revision joins too. The series key is the first version's root Message-ID, so it never
 * changes when later revisions arrive.
 */

interface Group {
  seriesKey: string;
  changeIds: Set<string>;
  author: string;
  project: string;
  subjects: Set<string>;
  maxRevision: number;
}

export function normalizeSubject(s: string): string {
  return s
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/[\s.:;,]+$/, '')
    .trim();
}

function subjectsOf(v: SeriesVersion): string[] {
  const out = [normalizeSubject(v.subject)];
  for (const p of v.patches) out.push(normalizeSubject(p.subject));
  return out.filter((s) => s.length > 0 && s !== '(untitled)');
}

/** Same author, same project, and the cover subject or at least half of the patch subjects match. */
function sameWork(g: Group, members: readonly SeriesVersion[]): boolean {
  const first = members[0];
  if (!first) return false;
  if (first.author.address.toLowerCase() !== g.author || first.project !== g.project) return false;
  for (const v of members) {
    if (g.subjects.has(normalizeSubject(v.subject))) return true;
    const subs = v.patches.map((p) => normalizeSubject(p.subject));
    const hits = subs.filter((s) => g.subjects.has(s)).length;
    if (subs.length > 0 && hits * 2 >= subs.length) return true;
  }
  return false;
}

/** Returns the versions with `seriesKey`/`key` rewritten so that all revisions of one piece of work share a key. */
export function linkHistory(versions: readonly SeriesVersion[]): SeriesVersion[] {
  // Versions of one thread already share a key (assembleThread); they move together.
  const threads = new Map<string, SeriesVersion[]>();
  for (const v of versions) threads.set(v.seriesKey, [...(threads.get(v.seriesKey) ?? []), v]);
  const startOf = (vs: readonly SeriesVersion[]): number => {
    const t = vs.map((v) => (v.firstDate ? Date.parse(v.firstDate) : Number.POSITIVE_INFINITY));
    return Math.min(...t);
  };
  const ordered = [...threads.values()].sort(
    (a, b) => startOf(a) - startOf(b) || (a[0]?.revision ?? 0) - (b[0]?.revision ?? 0),
  );

  const groups: Group[] = [];
  const keyOf = new Map<SeriesVersion, { seriesKey: string; key: string }>();
  const used = new Map<string, number>();
  for (const members of ordered) {
    const minRev = Math.min(...members.map((v) => v.revision));
    const resend = members.some((v) => v.isResend);
    const changeIds = members.map((v) => v.changeId).filter((c): c is string => c !== null);
    let group = groups.find((g) => changeIds.some((c) => g.changeIds.has(c)));
    group ??= groups.find(
      (g) => (minRev > g.maxRevision || (resend && minRev === g.maxRevision)) && sameWork(g, members),
    );
    const first = members[0];
    if (!first) continue;
    if (!group) {
      group = {
        seriesKey: first.seriesKey,
        changeIds: new Set(),
        author: first.author.address.toLowerCase(),
        project: first.project,
        subjects: new Set(),
        maxRevision: 0,
      };
      groups.push(group);
    }
    for (const v of members) {
      for (const c of changeIds) group.changeIds.add(c);
      for (const s of subjectsOf(v)) group.subjects.add(s);
      group.maxRevision = Math.max(group.maxRevision, v.revision);
      const base = `${group.seriesKey}#v${v.revision}`;
      const n = (used.get(base) ?? 0) + 1;
      used.set(base, n);
      // A second thread with the same revision (a RESEND) needs its own key; the earlier keeps the plain one.
      keyOf.set(v, { seriesKey: group.seriesKey, key: n === 1 ? base : `${base}.${n}` });
    }
  }

  return versions.map((v) => ({ ...v, ...(keyOf.get(v) ?? {}) }));
}
