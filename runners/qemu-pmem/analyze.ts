/**
 * From a finished guest run to tests, findings and a failure class (pure). Parsers are passed in
 * so this stays testable with fakes: the real ones live in runners/parse/.
 */
import type { FailureClass, Finding, TestResult } from '../types.ts';
import { extractSuites, locateFindings, parseWatchdog, stuckTask } from '../guest/protocol.ts';
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
}

function tail(text: string, lines: number): string {
  return text.split('\n').slice(-lines).join('\n');
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

export function analyzeGuestRun(
  q: QemuRunResult,
  requestedSuites: string[],
  parsers: Parsers,
  limits: { bootTimeoutMs: number; testTimeoutMs: number; overallTimeoutMs: number },
): GuestOutcome {
  const findings = locateFindings(q.console, parsers.analyzeConsole(q.console));
  const sections = extractSuites(q.console);
  const tests: TestResult[] = [];
  const stopped = q.killed
    ? `guest killed (${q.killed})`
    : findings.length > 0
      ? `guest stopped after: ${findings[0]?.title}`
      : 'guest stopped';
  for (const suite of requestedSuites) {
    const section = sections.find((s) => s.suite === suite);
    if (!section) {
      tests.push({ suite, name: suite, status: 'error', reason: `suite never started: ${stopped}` });
      continue;
    }
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
      if (!section.complete && q.lastTest === name && !q.lastTestFinished) {
        parsed.push({ suite, name, status: 'timeout', reason: `no result: ${stopped}`, excerpt: tail(q.console, 20) });
      } else {
        parsed.push({ suite, name, status: 'error', reason: `not run: ${stopped}` });
      }
    }
    tests.push(...parsed);
  }

  const bad = tests.filter((t) => t.status === 'fail' || t.status === 'error' || t.status === 'timeout');
  const consoleEmpty = q.console.trim() === '';
  if (q.killed === 'test-timeout' || q.killed === 'overall-timeout' || (q.killed === 'boot-timeout' && !consoleEmpty)) {
    const limitMs =
      q.killed === 'test-timeout'
        ? limits.testTimeoutMs
        : q.killed === 'boot-timeout'
          ? limits.bootTimeoutMs
          : limits.overallTimeoutMs;
    const suite = openSuite(q.console);
    const f = hangFinding(q, suite, Math.round(limitMs / 1000));
    findings.push(f);
    return {
      tests,
      findings,
      failureClass: 'kernel',
      booted: q.initSeen,
      summary: `${f.title}; killed QEMU (${q.killed})`,
    };
  }
  if (!q.initSeen && findings.length === 0) {
    const why =
      q.killed === 'boot-timeout'
        ? 'QEMU printed nothing before the boot timeout'
        : `QEMU exited with ${q.exitCode} before the guest started`;
    return { tests, findings, failureClass: 'infra', booted: false, summary: `${why}: ${tail(q.stderr, 5).trim()}` };
  }
  if (findings.length > 0) {
    const names = bad
      .map((t) => `${t.suite}.${t.name}`)
      .slice(0, 5)
      .join(', ');
    return {
      tests,
      findings,
      failureClass: 'kernel',
      booted: q.initSeen,
      summary: `${findings[0]?.title}${names ? `; failing: ${names}` : ''}`,
    };
  }
  if (bad.length > 0) {
    return {
      tests,
      findings,
      failureClass: 'kernel',
      booted: true,
      summary: `${bad.length} test(s) failed: ${bad
        .map((t) => `${t.suite}.${t.name}`)
        .slice(0, 5)
        .join(', ')}`,
    };
  }
  if (!q.doneSeen)
    return {
      tests,
      findings,
      failureClass: 'kernel',
      booted: q.initSeen,
      summary: 'guest stopped before finishing the suites',
    };
  const passed = tests.filter((t) => t.status === 'pass').length;
  return {
    tests,
    findings,
    failureClass: 'none',
    booted: true,
    summary: `${passed} passed, ${tests.length - passed} skipped`,
  };
}
