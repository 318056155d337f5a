/**
 * From a finished guest run to tests, findings and a failure class (pure), for every kernel
 * runner. The guest prints its suites as KTAP sections (runners/guest/protocol.ts); the console
 * analysis names crashes and warnings; a killed QEMU becomes a hang finding. Parsers are passed in
 * so this stays testable with fakes: the real ones are in ./parsers.ts.
 *
 * A test the guest never finished because a crash stopped it names that crash in `stoppedBy`
 * (and in its reason, "no result: guest stopped after: <title>"), so a verdict can leave it out
 * when a maintainer marks the crash unrelated.
 */
import type { FailureClass, Finding, TestResult } from '../types.ts';
import { extractSuites, locateFindings, parseWatchdog, stuckTask, type SuiteSection } from '../guest/protocol.ts';
import type { QemuRunResult } from '../qemu/run.ts';

export interface Parsers {
  analyzeConsole(log: string): Finding[];
  parseKtap(text: string, suite: string): TestResult[];
}

export interface GuestOutcome {
  tests: TestResult[];
  findings: Finding[];
  failureClass: FailureClass;
  summary: string;
  booted: boolean;
  /** A runner's own timings read from the guest (cxl-sim: the topology's settle time). */
  timings?: Record<string, number>;
}

export interface GuestLimits {
  bootTimeoutMs: number;
  testTimeoutMs: number;
  overallTimeoutMs: number;
}

/** Why the guest stopped, in words for a test's reason, and the crash that stopped it if any. */
interface Stop {
  words: string;
  by?: string;
}

function tail(text: string, lines: number): string {
  return text.split('\n').slice(-lines).join('\n');
}

function stopOf(q: QemuRunResult, findings: Finding[]): Stop {
  if (q.killed) return { words: `guest killed (${q.killed})` };
  const first = findings[0];
  if (first) return { words: `guest stopped after: ${first.title}`, by: first.title };
  return { words: 'guest stopped' };
}

/** A test the guest did not finish: the reason says why, `stoppedBy` names the crash. */
function unfinished(suite: string, name: string, status: 'error' | 'timeout', reason: string, stop: Stop): TestResult {
  return { suite, name, status, reason: `${reason}: ${stop.words}`, ...(stop.by && { stoppedBy: stop.by }) };
}

/**
 * A hang, named like syzkaller names one when the guest's watchdog said where the test's task
 * waits: "hang in dax.ext4_mmap_rw: no result after 300 s, task daxio in ext4_break_layouts",
 * with that task's kernel stack as the trace (symbolized like a crash's).
 */
function hangFinding(q: QemuRunResult, suite: string | null, timeoutS: number): Finding {
  const where = q.lastTest ? `${suite ? `${suite}.` : ''}${q.lastTest}` : q.initSeen ? 'guest suite' : 'boot';
  const w = parseWatchdog(q.console);
  const task = w && (!q.lastTest || w.test === q.lastTest) ? stuckTask(w) : null;
  const inFn = task ? (task.stack[0]?.replace(/\+0x.*$/, '') ?? task.wchan) : null;
  return {
    title: `hang in ${where}: no result after ${timeoutS} s${task && inFn ? `, task ${task.comm} in ${inFn}` : ''}`,
    type: 'hang',
    rip: null,
    trace: task ? task.stack : [],
    report: tail(q.console, 60),
    ...(q.lastTest && { test: q.lastTest }),
  };
}

/** The suite whose section was open when the guest stopped. */
function openSuite(consoleLog: string): string | null {
  const open = extractSuites(consoleLog).filter((s) => !s.complete);
  return open[open.length - 1]?.suite ?? null;
}

/** One suite section's tests: the KTAP results, then its planned tests that never reported. */
function sectionTests(q: QemuRunResult, section: SuiteSection, parsers: Parsers, stop: Stop): TestResult[] {
  const suite = section.suite;
  // The KTAP parser fills unreported numbers with "test N" placeholders; our guest's plan line
  // names them, so the named placeholders below replace those (one entry per test, not two).
  const parsed = parsers
    .parseKtap(section.text, suite)
    .filter(
      (t) =>
        !(
          section.plan.length > 0 &&
          t.status === 'error' &&
          /^test \d+$/.test(t.name) &&
          t.reason?.startsWith('not run')
        ),
    );
  for (const t of parsed) {
    const d = q.testDurations[t.name];
    if (d !== undefined && t.durationMs === undefined) t.durationMs = d;
    if (q.killed === 'test-timeout' && q.lastTest === t.name && !q.lastTestFinished) t.status = 'timeout';
  }
  const seen = new Set(parsed.map((t) => t.name));
  for (const name of section.plan) {
    if (seen.has(name)) continue;
    if (!section.complete && q.lastTest === name && !q.lastTestFinished)
      parsed.push({ ...unfinished(suite, name, 'timeout', 'no result', stop), excerpt: tail(q.console, 20) });
    else parsed.push(unfinished(suite, name, 'error', 'not run', stop));
  }
  return parsed;
}

function failingNames(tests: TestResult[]): string {
  return tests
    .map((t) => `${t.suite}.${t.name}`)
    .slice(0, 5)
    .join(', ');
}

/** The kill that makes the run a hang, with the limit that was hit; null when QEMU was not killed for one. */
function hangLimitMs(q: QemuRunResult, limits: GuestLimits): number | null {
  if (q.killed === 'test-timeout') return limits.testTimeoutMs;
  if (q.killed === 'overall-timeout') return limits.overallTimeoutMs;
  if (q.killed === 'boot-timeout' && q.console.trim() !== '') return limits.bootTimeoutMs;
  return null;
}

/** The failure class and summary of a run whose tests and findings are known. */
function classify(
  q: QemuRunResult,
  tests: TestResult[],
  findings: Finding[],
  limits: GuestLimits,
): Omit<GuestOutcome, 'tests' | 'findings'> {
  const bad = tests.filter((t) => t.status === 'fail' || t.status === 'error' || t.status === 'timeout');
  const limitMs = hangLimitMs(q, limits);
  if (limitMs !== null) {
    const f = hangFinding(q, openSuite(q.console), Math.round(limitMs / 1000));
    findings.push(f);
    return { failureClass: 'kernel', booted: q.initSeen, summary: `${f.title}; killed QEMU (${q.killed})` };
  }
  if (!q.initSeen && findings.length === 0) {
    const why =
      q.killed === 'boot-timeout'
        ? 'QEMU printed nothing before the boot timeout'
        : `QEMU exited with ${q.exitCode} before the guest started`;
    return { failureClass: 'infra', booted: false, summary: `${why}: ${tail(q.stderr, 5).trim()}` };
  }
  if (findings.length > 0) {
    const names = failingNames(bad);
    return {
      failureClass: 'kernel',
      booted: q.initSeen,
      summary: `${findings[0]?.title}${names ? `; failing: ${names}` : ''}`,
    };
  }
  if (bad.length > 0)
    return { failureClass: 'kernel', booted: true, summary: `${bad.length} test(s) failed: ${failingNames(bad)}` };
  if (!q.doneSeen)
    return { failureClass: 'kernel', booted: q.initSeen, summary: 'guest stopped before finishing the suites' };
  const passed = tests.filter((t) => t.status === 'pass').length;
  return { failureClass: 'none', booted: true, summary: `${passed} passed, ${tests.length - passed} skipped` };
}

/** The requested KTAP suites' tests, findings and failure class of one guest run. */
export function analyzeGuestRun(
  q: QemuRunResult,
  requestedSuites: string[],
  parsers: Parsers,
  limits: GuestLimits,
): GuestOutcome {
  const findings = locateFindings(q.console, parsers.analyzeConsole(q.console));
  const sections = extractSuites(q.console);
  const stop = stopOf(q, findings);
  const tests: TestResult[] = [];
  for (const suite of requestedSuites) {
    const section = sections.find((s) => s.suite === suite);
    if (section) tests.push(...sectionTests(q, section, parsers, stop));
    else tests.push(unfinished(suite, suite, 'error', 'suite never started', stop));
  }
  return { tests, findings, ...classify(q, tests, findings, limits) };
}
