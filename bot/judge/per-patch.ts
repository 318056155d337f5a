/**
 * Every patch builds (the 0-day robot's check): a series that builds as a whole may still have a
 * patch k that breaks the build and a later patch m that fixes it, which breaks `git bisect` for
 * everyone who bisects across it. Pure: given the build results of the prefixes 1..n-1 (patches
 * 1..k applied, build only), it answers which prefix to build next or the finding.
 *
 * Prefixes are built in order, each an incremental build on the last: the first that does not
 * build is the broken patch, the next one that builds (or the whole series, known to build) the
 * patch that fixes it. Later prefixes are not built: the first break is what the author must fix.
 * A prefix that could not answer (did not apply, machinery failed) is passed over.
 */
import type { BuildDiagnostic, RunResult } from '../../runners/types.ts';
import { classifyBuildStep } from './bisect-series.ts';

/** A series that builds but not at every patch: what the reply and the dashboard say of it. */
export interface NotBisectable {
  /** Patches in the series. */
  n: number;
  /** The first patch with which the kernel does not build (1..n-1). */
  broken: number;
  /** The first later patch with which it builds again (at most n: the whole series builds). */
  fixedBy: number;
  /** Patch `broken`'s build errors and warnings, as the build log gave them. */
  errors: BuildDiagnostic[];
  /** "does not build: file:line: message", as for a build bisection step. */
  note: string;
}

export type PerPatchNext = { build: number } | { done: true; finding: NotBisectable | null };

/** Builds results by prefix length k (1..n-1); a missing k has not been built yet. */
export function perPatchNext(n: number, builds: ReadonlyMap<number, RunResult>): PerPatchNext {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`per-patch builds need n >= 1, got ${n}`);
  let broken: { k: number; run: RunResult; note: string } | null = null;
  for (let k = 1; k < n; k++) {
    const run = builds.get(k);
    if (!run) return { build: k };
    const step = classifyBuildStep(run);
    if (step.result === 'bad' && !broken) broken = { k, run, note: step.note };
    if (step.result === 'good' && broken) return { done: true, finding: finding(n, broken, k) };
  }
  return { done: true, finding: broken ? finding(n, broken, n) : null };
}

function finding(n: number, broken: { k: number; run: RunResult; note: string }, fixedBy: number): NotBisectable {
  return { n, broken: broken.k, fixedBy, errors: broken.run.build?.errors ?? [], note: broken.note };
}
