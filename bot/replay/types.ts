/**
 * What `daxbot replay` reports: one row per kernel series version of the window, and the totals.
 * A row says where the series was tested (tree, base, how the base was found), what happened, and
 * whether the reply would have been mailed by the configured policy. Nothing is ever sent.
 */
import type { SeriesVersion } from '../../ingest/series/types.ts';
import type { BaseChoice, BaseMethod } from '../jobs/base-types.ts';

/**
 * `applied`: it applied on the base found; `apply-failed`: a base was chosen and the series does
 * not apply there; `no-base`: it applies to no candidate (untestable, recorded, never mailed);
 * anything else is the outcome of a full run (pass, regression, build-failed, infra ...).
 */
export type ReplayOutcome = 'applied' | 'apply-failed' | 'no-base' | (string & {});

export interface ReplayRow {
  versionKey: string;
  date: string | null;
  subject: string;
  patches: number;
  tree: string | null;
  base: string | null;
  method: BaseMethod | null;
  certain: boolean;
  /** How the base was found: "base-commit trailer", "applied to the head of linux-6.1 (HEAD)". */
  how: string;
  outcome: ReplayOutcome;
  /** It applied on the base tested (a full run may still fail to build or regress). */
  applied: boolean;
  /** The patch that did not apply (1-based), with the conflicting files. */
  failedPatch?: number;
  conflictFiles?: string[];
  wouldMail: boolean;
  /** Where the reply was written (replay/ beside the outbox), when one was. */
  replyFile?: string;
  /**
   * Time spent on the version; in base discovery apart from `git am` (lookups, blob matching); in
   * `git am` (discovery's trials and the apply on the chosen base).
   */
  ms: number;
  discoveryMs: number;
  amMs: number;
}

export interface ReplayTotals {
  /** Kernel series versions in the window. */
  series: number;
  /** Those that applied somewhere. */
  applied: number;
  /** Those that applied nowhere. */
  noBase: number;
  /** Replies that would be mailed. */
  wouldMail: number;
  /** Base was chosen but the series does not apply there. */
  applyFailed: number;
  byTree: Record<string, number>;
  byMethod: Record<string, number>;
  ms: number;
  discoveryMs: number;
  amMs: number;
}

/** What every row says of its version, whatever became of it. */
export function versionFields(v: SeriesVersion): Pick<ReplayRow, 'versionKey' | 'date' | 'subject' | 'patches'> {
  return { versionKey: v.key, date: v.firstDate, subject: v.subject, patches: v.patches.length };
}

/** Where a row's version was tested: the base chosen, or nulls and "no base" when there was none. */
export function testedFields(
  tested: Pick<BaseChoice, 'tree' | 'base' | 'method' | 'certain' | 'how'> | null,
): Pick<ReplayRow, 'tree' | 'base' | 'method' | 'certain' | 'how'> {
  return {
    tree: tested?.tree ?? null,
    base: tested?.base ?? null,
    method: tested?.method ?? null,
    certain: tested?.certain ?? false,
    how: tested?.how ?? 'no base: the series applies to no candidate',
  };
}

export function replayTotals(rows: readonly ReplayRow[], ms: number): ReplayTotals {
  const count = (pick: (r: ReplayRow) => string | null): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const r of rows) {
      const k = pick(r);
      if (k !== null) out[k] = (out[k] ?? 0) + 1;
    }
    return out;
  };
  const applied = rows.filter((r) => r.applied);
  return {
    series: rows.length,
    applied: applied.length,
    noBase: rows.filter((r) => r.tree === null).length,
    wouldMail: rows.filter((r) => r.wouldMail).length,
    applyFailed: rows.filter((r) => r.tree !== null && !r.applied).length,
    byTree: count((r) => (applied.includes(r) ? r.tree : null)),
    byMethod: count((r) => (applied.includes(r) ? r.method : null)),
    ms,
    discoveryMs: rows.reduce((s, r) => s + r.discoveryMs, 0),
    amMs: rows.reduce((s, r) => s + r.amMs, 0),
  };
}
