/**
 * "#daxbot unrelated <crash title>": a maintainer says a crash is not the series' fault. The
 * marks are applied to a verdict here, purely: matching crash entries are reclassified as
 * 'unrelated' and the outcome is recomputed, so a regression whose only new failures are marked
 * is no longer one. Marks belong to the series, so they hold for its later versions too.
 */
import { crashSignature } from './signature.ts';
import { classOrder, entriesOutcome, type NotCounted, type Verdict, type VerdictEntry } from './verdict.ts';

export interface UnrelatedMark {
  /** The crash title as the maintainer wrote it (copied from the bot's reply). */
  title: string;
  /** Address of the maintainer. */
  markedBy: string;
  /** ISO time the command was accepted. */
  markedAt: string;
}

/**
 * Titles are compared as the bot printed them with whitespace and case normalized only: the
 * reply wraps long titles over lines and mail clients re-flow them, but anything else differing
 * is a different crash.
 */
export function normalizeCrashTitle(title: string): string {
  return title.replace(/\s+/g, ' ').trim().toLowerCase();
}

/**
 * Two crash titles name the same crash when they are equal as printed, or when their signatures
 * (the title with addresses and offsets removed, see signature.ts) are: that is what stays equal
 * when the next version of the series hits the same crash at another address.
 */
export function sameCrash(a: string, b: string): boolean {
  return (
    normalizeCrashTitle(a) === normalizeCrashTitle(b) ||
    normalizeCrashTitle(crashSignature(a)) === normalizeCrashTitle(crashSignature(b))
  );
}

/** The mark that matches a crash entry, if any. */
export function markForCrash(
  entry: Pick<VerdictEntry, 'kind' | 'name'>,
  marks: readonly UnrelatedMark[],
): UnrelatedMark | null {
  if (entry.kind !== 'crash') return null;
  return marks.find((m) => sameCrash(m.title, entry.name)) ?? null;
}

/** Classes that would be (or might become) blamed on the series: only those are reclassified. */
function blamable(e: VerdictEntry): boolean {
  return e.class === 'new-failure' || e.class === 'flaky' || e.class === 'follows-crash';
}

export function applyUnrelatedMarks(verdict: Verdict, marks: readonly UnrelatedMark[]): Verdict {
  // Apply and build failures (and machinery failures) are decided before any crash is seen.
  if (
    marks.length === 0 ||
    (verdict.outcome !== 'regression' && verdict.outcome !== 'pass' && verdict.outcome !== 'pre-existing-only')
  )
    return verdict;
  const notCounted: NotCounted[] = [];
  const reclassified: { entry: VerdictEntry; mark: UnrelatedMark }[] = [];
  const entries = verdict.entries.map((e) => {
    const mark = blamable(e) ? markForCrash(e, marks) : null;
    if (!mark) return e;
    const out: VerdictEntry = { ...e, class: 'unrelated', unrelatedMark: { ...mark } };
    reclassified.push({ entry: out, mark });
    notCounted.push({ title: e.name, kind: 'crash', markedBy: mark.markedBy, markedAt: mark.markedAt });
    return out;
  });
  if (reclassified.length === 0) return verdict;
  // A test the guest could not finish because of a crash that is not counted is not counted
  // either; a test that failed on its own still is.
  const final = entries.map((e) => {
    if (e.kind !== 'test' || !blamable(e)) return e;
    // A test failing after a crash in the same boot (follows-crash.ts), or one the runner could not
    // finish because of it (TestResult.stoppedBy), goes with that crash.
    const by = e.followsCrash?.title ?? e.stoppedBy;
    if (by === undefined) return e;
    const hit = reclassified.find((r) => sameCrash(r.entry.name, by));
    if (!hit) return e;
    notCounted.push({ title: e.key, kind: 'test', markedBy: hit.mark.markedBy, markedAt: hit.mark.markedAt });
    return { ...e, class: 'unrelated' as const, unrelatedMark: { ...hit.mark } };
  });
  const { outcome, summary } = entriesOutcome(final);
  return { ...verdict, outcome, summary, entries: sortByClass(final), notCounted };
}

/** Same order as judge(): the reclassified entries move to the end. */
function sortByClass(entries: VerdictEntry[]): VerdictEntry[] {
  return entries
    .map((e, i) => ({ e, i }))
    .sort((a, b) => classOrder[a.e.class] - classOrder[b.e.class] || a.i - b.i)
    .map((x) => x.e);
}
