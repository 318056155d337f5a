/**
 * Which version `daxbot series am` writes, chosen as `b4 am` chooses on a thread: the newest
 * revision, whether or not all its patches reached the list (b4 writes the patches it has and
 * warns "Thread incomplete!"). Between two copies of one revision (a RESEND in another thread),
 * the complete one wins, then the later. What the pipeline tests is chosen elsewhere
 * (assemble.ts versionToTest: the newest complete version). Pure.
 */
import type { SeriesVersion } from './types.ts';

/** What the choice looks at, whatever the caller holds (a SeriesVersion or a store row). */
export interface AmCandidate {
  revision: number;
  complete: boolean;
  lastDate: string | null;
  /** Tie-breaker: the later stored wins. */
  order: number;
}

/** The version to write: exactly `revision` when given, else the newest revision. */
export function chooseAmVersion<T>(items: readonly T[], view: (item: T) => AmCandidate, revision?: number): T | null {
  const sorted = items
    .map((item) => ({ item, c: view(item) }))
    .filter(({ c }) => revision === undefined || c.revision === revision)
    .sort(
      (a, b) =>
        a.c.revision - b.c.revision ||
        Number(a.c.complete) - Number(b.c.complete) ||
        (a.c.lastDate ?? '').localeCompare(b.c.lastDate ?? '') ||
        a.c.order - b.c.order,
    );
  return sorted.pop()?.item ?? null;
}

/** b4's warning for a version with holes, naming them; null for a complete version. */
export function incompleteWarning(
  v: Pick<SeriesVersion, 'revision' | 'expected' | 'missing' | 'patches'>,
): string | null {
  if (v.missing.length === 0) return null;
  return (
    `v${v.revision} is incomplete: ${v.patches.length} of ${v.expected} patches present, ` +
    `missing ${v.missing.join(', ')} (the list was not sent them); wrote the patches present`
  );
}
