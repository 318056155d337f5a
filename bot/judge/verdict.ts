/**
 * The verdict: the series' runs compared against the base's runs, per test and per crash
 * signature. Pure: no I/O, the same runs always give the same verdict.
 *
 * Several runs per side are repeats of the same kernel. A test is only blamed on the series
 * when every series run that ran it failed and every base run that ran it passed; anything
 * inconsistent within one side is flaky and never blamed.
 */
import type { ApplyAttempt, BuildDiagnostic, Finding, RunResult, TestResult } from '../../runners/types.ts';
import { newWarnings } from '../../runners/parse/build-log.ts';
import { crashSignature } from './signature.ts';
import { crashFollowers, followedCrash, type CrashCause } from './follows-crash.ts';
import type { NotBisectable } from './per-patch.ts';

export type EntryClass =
  | 'pass'
  | 'new-failure'
  | 'pre-existing'
  | 'fixed'
  | 'flaky'
  | 'skipped-prerequisite'
  | 'skip'
  /** Failed only after a crash in the same boot (follows-crash.ts): the crash is reported, not this. */
  | 'follows-crash'
  /** Marked by a maintainer as not caused by the series (#daxbot unrelated): never blamed. */
  | 'unrelated';

export type Outcome = 'pass' | 'regression' | 'apply-failed' | 'build-failed' | 'infra' | 'pre-existing-only';

/** How one side (base or series) behaved for one test or crash, over its usable runs. */
export interface SideCount {
  runs: number;
  pass: number;
  fail: number;
  skip: number;
  /** Runs that did not report this test at all. */
  absent: number;
}

export interface VerdictEntry {
  kind: 'test' | 'crash';
  /** "ndctl/dax-ext4.sh" for a test, "crash/<signature>" for a crash. */
  key: string;
  suite: string;
  name: string;
  class: EntryClass;
  base: SideCount;
  series: SideCount;
  /** "3/3 series runs fail, 0/3 base runs" */
  agreement: string;
  /** The most telling reason line seen (skip reason, failure reason). */
  reason?: string;
  /** For a test: the crash that stopped the guest before it finished, on a series run (TestResult.stoppedBy). */
  stoppedBy?: string;
  /** Test output around the failure, from the first failing series run. */
  excerpt?: string;
  /** For a crash: one Finding as seen on the series (or on the base when only there). */
  finding?: Finding;
  signature?: string;
  /** For class 'follows-crash': the crash it followed and the test that crash happened in. */
  followsCrash?: CrashCause;
  /** For class 'unrelated': the mark that reclassified it (see unrelated.ts). */
  unrelatedMark?: { title: string; markedBy: string; markedAt: string };
}

/** A failure left out of the verdict because a maintainer marked its crash unrelated. */
export interface NotCounted {
  /** The crash title as the bot printed it, or the test key for a test the crash stopped. */
  title: string;
  kind: 'crash' | 'test';
  markedBy: string;
  markedAt: string;
}

export interface Verdict {
  outcome: Outcome;
  /** One line for logs and subjects. */
  summary: string;
  entries: VerdictEntry[];
  /** Runs that counted (infra runs are left out). */
  baseRuns: number;
  seriesRuns: number;
  /** Runs dropped because the machinery failed. */
  infraRuns: { base: number; series: number };
  /** Tests skipped for a missing prerequisite: an environment problem, not the patch's. */
  environmentProblems: VerdictEntry[];
  applyFailure?: ApplyAttempt;
  buildErrors?: BuildDiagnostic[];
  /**
   * The series builds, but not at every patch (judge/per-patch.ts): `git bisect` breaks across
   * it. The author's problem and certain, so it is mailed whatever the outcome.
   */
  notBisectable?: NotBisectable;
  /** Compiler warnings the series added to the build (its folder's warnings minus the base's). */
  newWarnings?: BuildDiagnostic[];
  /** Failures marked unrelated; present only when a mark applied. */
  notCounted?: NotCounted[];
}

export interface JudgeInput {
  baseRuns: RunResult[];
  seriesRuns: RunResult[];
}

type Observation = 'pass' | 'fail' | 'skip';

function observe(status: TestResult['status']): Observation {
  if (status === 'pass') return 'pass';
  if (status === 'skip') return 'skip';
  // error and timeout are failures of the test as far as the author is concerned.
  return 'fail';
}

interface TestObs {
  suite: string;
  name: string;
  base: Observation[];
  series: Observation[];
  baseRuns: number;
  seriesRuns: number;
  prerequisite: boolean;
  reason?: string;
  stoppedBy?: string;
  excerpt?: string;
}

function emptyCount(runs: number): SideCount {
  return { runs, pass: 0, fail: 0, skip: 0, absent: runs };
}

function count(obs: Observation[], runs: number): SideCount {
  const c = emptyCount(runs);
  for (const o of obs) {
    c[o] += 1;
    c.absent -= 1;
  }
  return c;
}

type SideState = 'pass' | 'fail' | 'flaky' | 'skip' | 'absent';

function sideState(c: SideCount): SideState {
  if (c.fail > 0 && c.pass > 0) return 'flaky';
  if (c.fail > 0) return 'fail';
  if (c.pass > 0) return 'pass';
  if (c.skip > 0) return 'skip';
  return 'absent';
}

function classify(base: SideCount, series: SideCount, prerequisite: boolean): EntryClass {
  const b = sideState(base);
  const s = sideState(series);
  if (s === 'flaky' || b === 'flaky') return 'flaky';
  if (s === 'fail') return b === 'fail' ? 'pre-existing' : 'new-failure';
  if (s === 'pass') return b === 'fail' ? 'fixed' : 'pass';
  if (s === 'skip') return prerequisite ? 'skipped-prerequisite' : 'skip';
  // Not run with the series at all.
  if (b === 'fail') return 'pre-existing';
  return 'skip';
}

function describe(verb: string, n: number, runs: number, side: string): string {
  return `${n}/${runs} ${side} runs ${verb}`;
}

function agreementLine(cls: EntryClass, base: SideCount, series: SideCount, crash: boolean): string {
  const verb = crash
    ? 'crash'
    : cls === 'fixed' || cls === 'pass'
      ? 'pass'
      : cls === 'skip' || cls === 'skipped-prerequisite'
        ? 'skip'
        : 'fail';
  const pick = (c: SideCount): number =>
    verb === 'crash' || verb === 'fail' ? c.fail : verb === 'pass' ? c.pass : c.skip;
  const s = describe(verb, pick(series), series.runs, 'series');
  return `${s}, ${pick(base)}/${base.runs} base runs`;
}

function isInfra(run: RunResult): boolean {
  return run.failureClass === 'infra';
}

function testEntries(base: RunResult[], series: RunResult[]): VerdictEntry[] {
  const byKey = new Map<string, TestObs>();
  const get = (t: TestResult): TestObs => {
    const key = `${t.suite}/${t.name}`;
    let o = byKey.get(key);
    if (!o) {
      o = {
        suite: t.suite,
        name: t.name,
        base: [],
        series: [],
        baseRuns: base.length,
        seriesRuns: series.length,
        prerequisite: false,
      };
      byKey.set(key, o);
    }
    return o;
  };
  const collect = (runs: RunResult[], side: 'base' | 'series'): void => {
    for (const run of runs) {
      // A test reported twice in one run counts once, by its worst result.
      const seen = new Map<string, TestResult>();
      for (const t of run.tests) {
        const key = `${t.suite}/${t.name}`;
        const prev = seen.get(key);
        if (!prev || observe(t.status) === 'fail') seen.set(key, t);
      }
      for (const t of seen.values()) {
        const o = get(t);
        const ob = observe(t.status);
        o[side].push(ob);
        if (side === 'series' && ob === 'skip' && t.missingPrerequisite) o.prerequisite = true;
        if (side === 'series' && t.reason && !o.reason) o.reason = t.reason;
        if (side === 'series' && t.stoppedBy && !o.stoppedBy) o.stoppedBy = t.stoppedBy;
        if (side === 'series' && ob === 'fail' && t.excerpt && !o.excerpt) o.excerpt = t.excerpt;
      }
    }
  };
  collect(base, 'base');
  collect(series, 'series');
  const entries: VerdictEntry[] = [];
  for (const [key, o] of byKey) {
    const b = count(o.base, o.baseRuns);
    const s = count(o.series, o.seriesRuns);
    const cls = classify(b, s, o.prerequisite);
    const entry: VerdictEntry = {
      kind: 'test',
      key,
      suite: o.suite,
      name: o.name,
      class: cls,
      base: b,
      series: s,
      agreement: agreementLine(cls, b, s, false),
    };
    if (o.reason) entry.reason = o.reason;
    if (o.stoppedBy) entry.stoppedBy = o.stoppedBy;
    if (o.excerpt && cls !== 'pass') entry.excerpt = o.excerpt;
    entries.push(entry);
  }
  return entries;
}

function crashEntries(base: RunResult[], series: RunResult[]): VerdictEntry[] {
  const sigs = new Map<string, { finding: Finding; fromSeries: boolean; base: number; series: number }>();
  const collect = (runs: RunResult[], side: 'base' | 'series'): void => {
    for (const run of runs) {
      const inRun = new Set<string>();
      for (const f of run.findings) {
        const sig = crashSignature(f.title);
        if (inRun.has(sig)) continue;
        inRun.add(sig);
        let e = sigs.get(sig);
        if (!e) {
          e = { finding: f, fromSeries: side === 'series', base: 0, series: 0 };
          sigs.set(sig, e);
        } else if (side === 'series' && !e.fromSeries) {
          // Show the series' own trace: it is the one the author will look at.
          e.finding = f;
          e.fromSeries = true;
        }
        e[side] += 1;
      }
    }
  };
  collect(base, 'base');
  collect(series, 'series');
  const entries: VerdictEntry[] = [];
  for (const [sig, e] of sigs) {
    const b: SideCount = { runs: base.length, pass: base.length - e.base, fail: e.base, skip: 0, absent: 0 };
    const s: SideCount = { runs: series.length, pass: series.length - e.series, fail: e.series, skip: 0, absent: 0 };
    const cls = classify(b, s, false);
    entries.push({
      kind: 'crash',
      key: `crash/${sig}`,
      suite: 'console',
      name: e.finding.title,
      class: cls,
      base: b,
      series: s,
      agreement: agreementLine(cls, b, s, true),
      finding: e.finding,
      signature: sig,
    });
  }
  return entries;
}

/** The order of a verdict's entries: what is blamed first, what is not counted last. */
export const classOrder: Record<EntryClass, number> = {
  'new-failure': 0,
  'follows-crash': 1,
  flaky: 2,
  'pre-existing': 3,
  fixed: 4,
  'skipped-prerequisite': 5,
  skip: 6,
  pass: 7,
  unrelated: 8,
};

/** New test failures that only ever failed after a crash in the same boot follow that crash. */
function markCrashFollowers(entries: VerdictEntry[], series: readonly RunResult[]): VerdictEntry[] {
  const followers = series.map(crashFollowers);
  if (followers.every((f) => f.size === 0)) return entries;
  return entries.map((e) => {
    if (e.kind !== 'test' || e.class !== 'new-failure') return e;
    const cause = followedCrash(e.key, series, followers);
    return cause ? { ...e, class: 'follows-crash', followsCrash: cause } : e;
  });
}

function sortEntries(entries: VerdictEntry[]): VerdictEntry[] {
  return [...entries].sort(
    (a, b) =>
      classOrder[a.class] - classOrder[b.class] ||
      (a.kind === b.kind ? 0 : a.kind === 'crash' ? -1 : 1) ||
      a.key.localeCompare(b.key),
  );
}

function base(
  outcome: Outcome,
  summary: string,
  input: JudgeInput,
  usable: { base: RunResult[]; series: RunResult[] },
): Verdict {
  return {
    outcome,
    summary,
    entries: [],
    baseRuns: usable.base.length,
    seriesRuns: usable.series.length,
    infraRuns: {
      base: input.baseRuns.length - usable.base.length,
      series: input.seriesRuns.length - usable.series.length,
    },
    environmentProblems: [],
  };
}

export function judge(input: JudgeInput): Verdict {
  const usable = {
    base: input.baseRuns.filter((r) => !isInfra(r)),
    series: input.seriesRuns.filter((r) => !isInfra(r)),
  };

  // Apply and build failures are the patch's own and deterministic: they win over anything else.
  const applyFailed = usable.series.find((r) => r.apply && !r.apply.ok);
  if (applyFailed?.apply) {
    const v = base('apply-failed', 'the series does not apply', input, usable);
    const attempts = applyFailed.apply.attempts;
    const last = attempts[attempts.length - 1];
    if (last) v.applyFailure = last;
    if (last?.failedPatch !== undefined)
      v.summary = `patch ${last.failedPatch} does not apply to ${last.base.slice(0, 12)}`;
    return v;
  }
  const baseBuildFailed = usable.base.some((r) => r.build && !r.build.ok);
  const buildFailed = usable.series.find((r) => r.build && !r.build.ok);
  if (buildFailed?.build) {
    if (baseBuildFailed) return base('infra', 'the base itself does not build with this configuration', input, usable);
    const v = base('build-failed', 'the kernel does not build with the series', input, usable);
    v.buildErrors = buildFailed.build.errors;
    return v;
  }
  if (usable.series.length === 0) return base('infra', 'no series run completed (machinery failure)', input, usable);
  if (usable.base.length === 0) return base('infra', 'no base run completed (machinery failure)', input, usable);
  if (baseBuildFailed) return base('infra', 'the base itself does not build with this configuration', input, usable);

  const entries = sortEntries([
    ...crashEntries(usable.base, usable.series),
    ...markCrashFollowers(testEntries(usable.base, usable.series), usable.series),
  ]);
  const v = base('pass', '', input, usable);
  // Only complete warning records compare: otherwise an old warning in a recompiled file looks new.
  const baseBuild = usable.base.find((r) => r.build?.ok)?.build;
  const seriesBuild = usable.series.find((r) => r.build?.ok)?.build;
  if (baseBuild?.warningsComplete && seriesBuild?.warningsComplete) {
    const added = newWarnings(baseBuild.warnings, seriesBuild.warnings);
    if (added.length > 0) v.newWarnings = added;
  }
  v.entries = entries;
  v.environmentProblems = entries.filter((e) => e.class === 'skipped-prerequisite');
  const o = entriesOutcome(entries);
  v.outcome = o.outcome;
  v.summary = o.summary;
  return v;
}

/**
 * The outcome and summary of classified entries, for a series that applied and built (the
 * other outcomes do not depend on entries). Shared by judge() and by re-judging after marks.
 */
export function entriesOutcome(entries: readonly VerdictEntry[]): { outcome: Outcome; summary: string } {
  const news = entries.filter((e) => e.class === 'new-failure');
  const unblamed = entries.filter((e) => e.class === 'pre-existing' || e.class === 'flaky');
  let outcome: Outcome = 'pass';
  let summary: string;
  if (news.length > 0) {
    outcome = 'regression';
    const crashes = news.filter((e) => e.kind === 'crash').length;
    const tests = news.length - crashes;
    const parts: string[] = [];
    if (crashes) parts.push(`${crashes} new crash${crashes > 1 ? 'es' : ''}`);
    if (tests) parts.push(`${tests} new test failure${tests > 1 ? 's' : ''}`);
    summary = parts.join(', ');
  } else if (unblamed.length > 0) {
    outcome = 'pre-existing-only';
    summary = `no new failures; ${unblamed.length} failure${unblamed.length > 1 ? 's' : ''} also seen on the base or flaky`;
  } else {
    summary = 'no failures';
  }
  const fixed = entries.filter((e) => e.class === 'fixed').length;
  if (fixed) summary += `; ${fixed} fixed`;
  const unrelated = entries.filter((e) => e.class === 'unrelated').length;
  if (unrelated) summary += `; ${unrelated} marked unrelated`;
  return { outcome, summary };
}

export interface ConfirmationNeed {
  needed: boolean;
  /** Additional runs to do on each side. */
  series: number;
  base: number;
  reason: string;
}

/**
 * Whether more repeats are needed before anyone is told. `confirmRepeats` is the number of
 * repeats beyond the first run (config `schedule.confirmRepeats`): a new failure must be seen
 * in 1 + confirmRepeats series runs and its absence in as many base runs. A flaky entry that
 * only ever failed with the series gets repeats up to `maxRuns` per side, in case it is a real
 * but intermittent regression.
 */
export function needsConfirmation(
  verdict: Verdict,
  confirmRepeats: number,
  opts: { maxRuns?: number } = {},
): ConfirmationNeed {
  const want = 1 + Math.max(0, confirmRepeats);
  const maxRuns = Math.max(want, opts.maxRuns ?? want + 2);
  const none = (reason: string): ConfirmationNeed => ({ needed: false, series: 0, base: 0, reason });
  if (verdict.outcome === 'apply-failed' || verdict.outcome === 'build-failed') return none('deterministic failure');
  if (verdict.outcome === 'infra') return none('infrastructure failure: retry, do not repeat');
  let series = 0;
  let baseMore = 0;
  const reasons: string[] = [];
  for (const e of verdict.entries) {
    if (e.class === 'new-failure') {
      const s = Math.max(0, want - e.series.runs);
      const b = Math.max(0, want - e.base.runs);
      if (s || b) reasons.push(`${e.key}: ${e.agreement}`);
      series = Math.max(series, s);
      baseMore = Math.max(baseMore, b);
    } else if (e.class === 'flaky' && e.base.fail === 0 && e.series.fail > 0) {
      const s = Math.max(0, maxRuns - e.series.runs);
      const b = Math.max(0, maxRuns - e.base.runs);
      if (s || b) reasons.push(`${e.key} flaky: ${e.agreement}`);
      series = Math.max(series, s);
      baseMore = Math.max(baseMore, b);
    }
  }
  if (series === 0 && baseMore === 0) return none('confirmed');
  return { needed: true, series, base: baseMore, reason: reasons.join('; ') };
}
