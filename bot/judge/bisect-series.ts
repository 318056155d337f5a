/**
 * Bisection within one series of n patches: which patch k is the first whose application
 * shows the failure. Pure planner: the caller runs the steps it asks for and feeds results
 * back. Patch count 0 is the base (known good) and n is the full series (known bad), so only
 * 1..n-1 are ever asked for: at most ceil(log2 n) steps, plus the skips.
 */
import type { RunResult } from '../../runners/types.ts';
import { crashSignature } from './signature.ts';

export type StepResult = 'good' | 'bad' | 'skip';

export interface BisectStep {
  /** Number of patches applied (1..n-1). */
  k: number;
  result: StepResult;
  /** Why: "dax.mmap fails", "build failed", ... for the reply. */
  note?: string;
}

export interface SeriesBisectState {
  n: number;
  steps: BisectStep[];
}

export type NextStep =
  | { test: number }
  | {
      done: true;
      /** The first bad patch, or null when skips left several candidates. */
      firstBad: number | null;
      /** When firstBad is null: the patches that could be first bad (git's "could be any of"). */
      candidates: number[];
    };

export function nextStep(state: SeriesBisectState): NextStep {
  const { n } = state;
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`bisection needs n >= 1, got ${n}`);
  const known = new Map<number, StepResult>([
    [0, 'good'],
    [n, 'bad'],
  ]);
  for (const s of state.steps) {
    if (s.k < 1 || s.k > n - 1) throw new RangeError(`step k=${s.k} outside 1..${n - 1}`);
    known.set(s.k, s.result);
  }
  // The first bad patch lies in (lo, hi]: hi is the lowest bad, lo the highest good below it.
  let hi = n;
  for (const [k, r] of known) if (r === 'bad' && k < hi) hi = k;
  let lo = 0;
  for (const [k, r] of known) if (r === 'good' && k < hi && k > lo) lo = k;
  const untested: number[] = [];
  for (let k = lo + 1; k < hi; k++) if (!known.has(k)) untested.push(k);
  if (untested.length === 0) {
    if (hi === lo + 1) return { done: true, firstBad: hi, candidates: [hi] };
    const candidates: number[] = [];
    for (let k = lo + 1; k <= hi; k++) candidates.push(k);
    return { done: true, firstBad: null, candidates };
  }
  // Middle of (lo, hi); around skipped points, the untested point nearest to it.
  const mid = (lo + hi) / 2;
  let best = untested[0] ?? lo + 1;
  for (const k of untested) if (Math.abs(k - mid) < Math.abs(best - mid)) best = k;
  return { test: best };
}

/** What a bisection step must reproduce: the confirmed failing tests or crash signatures. */
export interface BisectTarget {
  /** "suite/name" keys of tests that newly failed. */
  tests: string[];
  /** Signatures (crashSignature) of crashes that are new with the series. */
  crashSignatures: string[];
  /**
   * The series does not build: a step is bad when the kernel does not build with its patches
   * (steps build only, nothing is booted), good when it builds.
   */
  build?: boolean;
}

/** A build-only step: good when it builds, bad when it does not, skipped when it could not tell. */
export function classifyBuildStep(run: RunResult): { result: StepResult; note: string } {
  if (run.failureClass === 'infra') return { result: 'skip', note: `infrastructure: ${run.summary}` };
  if (run.apply && !run.apply.ok) return { result: 'skip', note: 'does not apply' };
  if (!run.build) return { result: 'skip', note: 'not built' };
  if (run.build.ok) return { result: 'good', note: 'builds' };
  const first = run.build.errors.find((e) => e.severity === 'error');
  return {
    result: 'bad',
    note: first ? `does not build: ${first.file}:${first.line}: ${first.message}` : 'does not build',
  };
}

/**
 * Classifies one step's run. Bad only if it shows the confirmed failure or crash signature,
 * not any failure: an unrelated failure is a different bug (a build target: bad when the step
 * does not build). A step that could not answer
 * (did not apply, did not build, machinery failed, the target test never ran) is skipped.
 */
export function classifyStep(run: RunResult, target: BisectTarget): { result: StepResult; note: string } {
  if (target.build) return classifyBuildStep(run);
  if (run.failureClass === 'infra') return { result: 'skip', note: `infrastructure: ${run.summary}` };
  if (run.apply && !run.apply.ok) return { result: 'skip', note: 'does not apply' };
  if (run.build && !run.build.ok) return { result: 'skip', note: 'build failed' };
  const sigs = new Set(run.findings.map((f) => crashSignature(f.title)));
  const crashHit = target.crashSignatures.find((s) => sigs.has(s));
  if (crashHit) return { result: 'bad', note: `crash: ${crashHit}` };
  const byKey = new Map(run.tests.map((t) => [`${t.suite}/${t.name}`, t]));
  const failing = target.tests.filter((k) => {
    const t = byKey.get(k);
    return t !== undefined && t.status !== 'pass' && t.status !== 'skip';
  });
  if (failing.length > 0) return { result: 'bad', note: `${failing.join(', ')} fail${failing.length > 1 ? '' : 's'}` };
  if (target.crashSignatures.length > 0 && target.tests.length === 0) {
    if (!run.booted) return { result: 'skip', note: 'did not boot' };
    return { result: 'good', note: 'no crash' };
  }
  const ran = target.tests.filter((k) => {
    const t = byKey.get(k);
    return t !== undefined && t.status === 'pass';
  });
  if (ran.length === 0) return { result: 'skip', note: 'target tests did not run' };
  return { result: 'good', note: `${ran.join(', ')} pass${ran.length > 1 ? '' : 'es'}` };
}
