/**
 * The external ndctl suite's results (pure). When the guest copied meson's testlog.json out
 * (runners/nfit-sim/ndctl-testlog.ts), every test's result comes from it. Otherwise (the guest
 * crashed or hung first) the suite's section of the guest console is read: meson's own result
 * lines go through the meson parser (runners/parse/meson.ts); what runners/guest/nfit-sim/
 * meson-run.py adds gives each non-passing test its reason line (an exit-77 test's "kernel
 * <release>: <why>", a failure's "test/<script>: failed at line N"). Either way the planned list
 * names the tests a crash or hang prevented.
 */
import { z } from 'zod';
import { extractSuites } from '../guest/protocol.ts';
import { parseMesonTest } from '../parse/meson.ts';
import type { TestResult } from '../types.ts';
import { NDCTL_MESON_SUITE } from './profile.ts';
import { parseTestlog, reasonLine } from './ndctl-testlog.ts';

const logSchema = z.object({
  name: z.string(),
  result: z.string().nullable().optional(),
  returncode: z.number().nullable().optional(),
  tail: z.array(z.string()),
});
type MesonLog = z.infer<typeof logSchema>;

export interface GuestStop {
  killed: string | null;
  lastTest: string | null;
  lastTestFinished: boolean;
}

const ERROR_LINE = /^# DAXBOT-MESON-ERROR (.*)$/;
const LIST_LINE = /^# DAXBOT-MESON-LIST \d+(?: (.*))?$/;
const LOG_LINE = /^DAXBOT-MESON-LOG (\{.*\})\s*$/;

/** "ndctl:dax/daxdev-errors.sh" → suite and name as the meson parser reports them ("dax", "daxdev-errors.sh"). */
export function splitMesonName(marker: string): { suite: string; name: string } {
  const slash = marker.indexOf('/');
  const full = slash >= 0 ? marker.slice(0, slash) : '';
  const name = slash >= 0 ? marker.slice(slash + 1) : marker;
  const suite = full.replace(/^[^:]*:/, '');
  return { suite: suite === '' ? 'ndctl' : suite, name };
}

function parseLogs(lines: string[]): Map<string, MesonLog> {
  const out = new Map<string, MesonLog>();
  for (const line of lines) {
    const m = LOG_LINE.exec(line);
    if (!m?.[1]) continue;
    let raw: unknown;
    try {
      raw = JSON.parse(m[1]);
    } catch {
      // A kernel message interleaved into the line: that test keeps meson's own reason.
      continue;
    }
    const parsed = logSchema.safeParse(raw);
    if (parsed.success) out.set(parsed.data.name, parsed.data);
  }
  return out;
}

/** Adds the reason line (and output tail) from the test's log to meson's verdict. */
function enrich(t: TestResult, log: MesonLog | undefined): TestResult {
  if (!log) return t;
  const why = reasonLine(log.tail);
  if (t.status === 'skip' && t.missingPrerequisite) {
    return { ...t, reason: `exit status 77: ${why ?? 'missing prerequisite'}` };
  }
  if (t.status === 'fail' || t.status === 'error' || t.status === 'timeout') {
    const code = log.returncode === null || log.returncode === undefined ? '' : `exit status ${log.returncode}: `;
    return { ...t, ...(why ? { reason: `${code}${why}` } : {}), excerpt: log.tail.join('\n') };
  }
  return t;
}

/** The console's meson lines, each with its reason line from meson-run.py's log lines. */
function consoleResults(lines: string[], text: string): TestResult[] {
  const logs = parseLogs(lines);
  return parseMesonTest(text).tests.map((t) => {
    const log = [...logs.values()].find((l) => {
      const s = splitMesonName(l.name);
      return s.name === t.name && s.suite === t.suite;
    });
    return enrich(t, log);
  });
}

/**
 * The suite's TestResults: from testlog.json's text when there is one, else from the console. A
 * section that never started, a setup error and tests that never reported are errors (or a
 * timeout for the one that was running when the guest was killed).
 */
export function ndctlMesonResults(consoleLog: string, stop: GuestStop, testlog: string | null = null): TestResult[] {
  const section = extractSuites(consoleLog).find((s) => s.suite === NDCTL_MESON_SUITE);
  const why = stop.killed ? `guest killed (${stop.killed})` : 'guest stopped';
  const fromFile = testlog === null ? [] : parseTestlog(testlog);
  // meson wrote its results: they stand even when the console lost the suite's marker line.
  if (!section && fromFile.length > 0) return fromFile;
  if (!section)
    return [
      { suite: NDCTL_MESON_SUITE, name: NDCTL_MESON_SUITE, status: 'error', reason: `suite never started: ${why}` },
    ];
  const lines = section.text.split('\n');
  const errors = lines.map((l) => ERROR_LINE.exec(l)?.[1]).filter((e): e is string => e !== undefined);
  const listed = lines.map((l) => LIST_LINE.exec(l)).find((m) => m !== null);
  const planned = (listed?.[1] ?? '').split(/\s+/).filter(Boolean);
  const tests = fromFile.length > 0 ? fromFile : consoleResults(lines, section.text);
  const seen = new Set(tests.map((t) => `${t.suite}/${t.name}`));
  for (const marker of planned) {
    const { suite, name } = splitMesonName(marker);
    if (seen.has(`${suite}/${name}`)) continue;
    const running = stop.lastTest === marker && !stop.lastTestFinished;
    tests.push(
      running
        ? { suite, name, status: 'timeout', reason: `no result: ${why}` }
        : { suite, name, status: 'error', reason: `not run: ${why}` },
    );
  }
  if (errors.length > 0 && tests.length === 0) {
    return [
      { suite: NDCTL_MESON_SUITE, name: NDCTL_MESON_SUITE, status: 'error', reason: errors.join('; ').slice(0, 300) },
    ];
  }
  if (tests.length === 0) {
    return [
      {
        suite: NDCTL_MESON_SUITE,
        name: NDCTL_MESON_SUITE,
        status: 'error',
        reason: section.complete ? 'meson test reported no tests' : `no results: ${why}`,
      },
    ];
  }
  return tests;
}
