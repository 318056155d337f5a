/**
 * The pipeline's transition function. Pure: given what is durably recorded for a job (its
 * series, its recorded runs, the cached base runs, the clock) it answers what to do next. The
 * executor (executor.ts) does that one thing, records it, and asks again. Because the
 * answer depends only on recorded facts, a restart after a kill at any moment recomputes the
 * same next step: finished steps are never redone, unfinished ones are simply done again.
 */
import { classifyStep, nextStep, type BisectStep, type BisectTarget } from '../judge/bisect-series.ts';
import { perPatchNext } from '../judge/per-patch.ts';
import { applyUnrelatedMarks, type UnrelatedMark } from '../judge/unrelated.ts';
import { judge, needsConfirmation, type Verdict } from '../judge/verdict.ts';
import type { RunResult } from '../../runners/types.ts';

export type JobState =
  | 'new'
  | 'waiting'
  | 'queued'
  | 'applying'
  | 'building'
  | 'testing'
  | 'judging'
  | 'bisecting'
  | 'reporting'
  | 'done'
  | 'infra-failed';

export interface BisectionRecord {
  n: number;
  steps: (BisectStep & { subject?: string })[];
  firstBad: number | null;
  candidates: number[];
  target: BisectTarget;
}

export interface PlanInput {
  now: Date;
  complete: boolean;
  /** Date of the newest mail of the version (the wait window runs from it). */
  lastDate: string | null;
  incompleteWaitMs: number;
  /** Patches present (what the mbox holds). */
  patchCount: number;
  /** Repeats beyond the first run to confirm a new failure. */
  confirmRepeats: number;
  /** Series runs in step order (series:0, series:1, ...). */
  seriesRuns: RunResult[];
  /** Base runs in repeat order (from the baseline cache). */
  baseRuns: RunResult[];
  /** Bisection runs by patch count k. */
  bisectRuns: ReadonlyMap<number, RunResult>;
  /**
   * Crashes a maintainer marked as not caused by this series (#daxbot unrelated): applied to
   * every verdict here, so they are neither confirmed, nor bisected, nor reported.
   */
  unrelated?: readonly UnrelatedMark[];
  /**
   * Base discovery: not run yet, a base found to test on, or none (the series applies to no
   * candidate tree). Absent means found (callers that only judge runs).
   */
  base?: 'unknown' | 'found' | 'none';
  /**
   * This job builds every prefix of a series that builds as a whole (judge/per-patch.ts), after
   * its runtime runs and before its reply; off when absent.
   */
  buildEachPatch?: boolean;
  /** Build-only runs of the prefixes, by patch count k (1..n-1). */
  prefixBuilds?: ReadonlyMap<number, RunResult>;
}

export type Action =
  | { kind: 'wait'; until: Date; state: 'waiting' }
  | { kind: 'find-base'; state: 'applying' }
  | { kind: 'no-base'; state: 'done' }
  | { kind: 'run-series'; repeat: number; state: 'testing' }
  | { kind: 'run-base'; repeat: number; state: 'testing' }
  /** buildOnly: the step only builds (a build failure is bisected; nothing is booted). */
  | { kind: 'bisect-step'; k: number; index: number; buildOnly: boolean; state: 'bisecting' }
  /** Builds patches 1..k only (build-only, nothing booted): does every patch build? */
  | { kind: 'prefix-build'; k: number; n: number; state: 'building' }
  | { kind: 'report'; verdict: Verdict; bisection: BisectionRecord | null; state: 'reporting' };

export function bisectTarget(verdict: Verdict): BisectTarget {
  const news = verdict.entries.filter((e) => e.class === 'new-failure');
  return {
    tests: news.filter((e) => e.kind === 'test').map((e) => e.key),
    crashSignatures: news.filter((e) => e.kind === 'crash' && e.signature).map((e) => e.signature ?? ''),
    ...(verdict.outcome === 'build-failed' && { build: true }),
  };
}

/** What is bisected within a series: a confirmed regression, or a series that does not build. */
function bisectable(outcome: Verdict['outcome']): boolean {
  return outcome === 'regression' || outcome === 'build-failed';
}

export function plan(input: PlanInput): Action {
  if (!input.complete && input.seriesRuns.length === 0) {
    const last = input.lastDate ? Date.parse(input.lastDate) : NaN;
    const until = new Date((Number.isNaN(last) ? 0 : last) + input.incompleteWaitMs);
    // After the window an incomplete series is tested as it is: what is there may still apply.
    if (until.getTime() > input.now.getTime()) return { kind: 'wait', until, state: 'waiting' };
  }
  // The base is looked for once the series is as complete as it will get, before the first run.
  if (input.base === 'unknown') return { kind: 'find-base', state: 'applying' };
  if (input.base === 'none') return { kind: 'no-base', state: 'done' };
  if (input.seriesRuns.length === 0) return { kind: 'run-series', repeat: 0, state: 'testing' };
  const first = input.seriesRuns[0];
  // A patch that does not apply is the author's and deterministic: the base is not needed.
  if (first?.apply && !first.apply.ok) {
    return { kind: 'report', verdict: verdictOf(input), bisection: null, state: 'reporting' };
  }
  if (input.baseRuns.length === 0) return { kind: 'run-base', repeat: 0, state: 'testing' };
  const verdict = verdictOf(input);
  const need = needsConfirmation(verdict, input.confirmRepeats);
  if (need.needed) {
    // Series repeats first: if the failure does not repeat, the base repeats are moot.
    if (need.series > 0) return { kind: 'run-series', repeat: input.seriesRuns.length, state: 'testing' };
    if (need.base > 0) return { kind: 'run-base', repeat: input.baseRuns.length, state: 'testing' };
  }
  if (!bisectable(verdict.outcome) || input.patchCount < 2) {
    const bisection = bisectable(verdict.outcome) && input.patchCount === 1 ? singlePatch(verdict) : null;
    return reportAfterPrefixes(input, verdict, bisection);
  }
  const target = bisectTarget(verdict);
  const steps: BisectStep[] = [];
  // Steps are replayed in the order the planner asked for them, so the record reads like a log.
  for (;;) {
    const next = nextStep({ n: input.patchCount, steps });
    if ('done' in next) {
      const bisection = { n: input.patchCount, steps, firstBad: next.firstBad, candidates: next.candidates, target };
      return reportAfterPrefixes(input, firstBadBuildErrors(verdict, next.firstBad, input.bisectRuns), bisection);
    }
    const run = input.bisectRuns.get(next.test);
    const buildOnly = target.build === true;
    if (!run) return { kind: 'bisect-step', k: next.test, index: steps.length, buildOnly, state: 'bisecting' };
    const c = classifyStep(run, target);
    steps.push({ k: next.test, result: c.result, note: c.note });
  }
}

/** Outcomes of a series that builds as a whole: only those can break the build in the middle. */
const BUILT_OUTCOMES: readonly Verdict['outcome'][] = ['pass', 'regression', 'pre-existing-only'];

/**
 * The report, once every prefix the job builds is built (after the runtime runs, so the verdict
 * on the whole series never waits for them more than the reply does). A prefix a runtime
 * bisection step already built counts as built.
 */
function reportAfterPrefixes(input: PlanInput, verdict: Verdict, bisection: BisectionRecord | null): Action {
  const n = input.patchCount;
  if (!input.buildEachPatch || n < 2 || !BUILT_OUTCOMES.includes(verdict.outcome)) {
    return { kind: 'report', verdict, bisection, state: 'reporting' };
  }
  const builds = new Map<number, RunResult>();
  for (const [k, run] of input.bisectRuns) if (run.build) builds.set(k, run);
  for (const [k, run] of input.prefixBuilds ?? []) builds.set(k, run);
  const next = perPatchNext(n, builds);
  if ('build' in next) return { kind: 'prefix-build', k: next.build, n, state: 'building' };
  const withFinding = next.finding ? { ...verdict, notBisectable: next.finding } : verdict;
  return { kind: 'report', verdict: withFinding, bisection, state: 'reporting' };
}

function verdictOf(input: PlanInput): Verdict {
  return applyUnrelatedMarks(judge({ baseRuns: input.baseRuns, seriesRuns: input.seriesRuns }), input.unrelated ?? []);
}

/**
 * A series that does not build is reported with the errors of its first bad patch (a later patch
 * may add errors of its own, or hide these).
 */
function firstBadBuildErrors(verdict: Verdict, firstBad: number | null, runs: ReadonlyMap<number, RunResult>): Verdict {
  const errors = firstBad === null ? undefined : runs.get(firstBad)?.build?.errors;
  return verdict.outcome === 'build-failed' && errors ? { ...verdict, buildErrors: errors } : verdict;
}

function singlePatch(verdict: Verdict): BisectionRecord {
  return { n: 1, steps: [], firstBad: 1, candidates: [1], target: bisectTarget(verdict) };
}
