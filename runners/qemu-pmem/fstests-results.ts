/**
 * The fstests-dax suite's results (pure). The record is fstests' own xunit report of each
 * filesystem (<fs>/result.xml in the tar the guest wrote to the results disk): a notrun is a skip
 * with fstests' reason, a failure carries the `.out.bad` diff and the kernel log of the test.
 * When the report never came out (a crash or hang ended the guest first) the console is read
 * instead: the guest script's "ok/not ok <n> <fs>.<test>" lines, and the test that was running
 * when the guest stopped is a timeout or an error. Tests are named "<fs>.<test>" ("xfs.generic/608").
 */
import { extractSuites, MARK } from '../guest/protocol.ts';
import type { TarEntry } from '../guest/disks.ts';
import { FstestsXunitError, parseFstestsXunit, type FstestsXunitCase } from '../parse/fstests.ts';
import type { TestResult } from '../types.ts';
import { FSTESTS_DAX_SUITE } from './fstests-config.ts';

export interface FstestsRunInput {
  consoleLog: string;
  /** The files of the results disk. */
  files: TarEntry[];
  filesystems: readonly string[];
  stop: { killed: string | null; killNote?: string | null; lastTest: string | null; lastTestFinished: boolean };
  /** Host-measured duration per test marker (QemuRunResult.testDurations). */
  durations: Record<string, number>;
}

const SUITE = FSTESTS_DAX_SUITE;
const KERNEL_LINE = /^\s*\[\s*\d+\.\d+\]/;
const KTAP = /^(not ok|ok) \d+ (\S+)(?: # SKIP ?(.*))?$/;
/** At most this many lines of a diff, and of the kernel log, go into a failure's excerpt. */
const DIFF_LINES = 14;
const DMESG_LINES = 8;

const tail = <T>(xs: T[], n: number): T[] => xs.slice(Math.max(0, xs.length - n));

/**
 * The kernel's console lines while `test` ran: from its test-start marker to its result line (or
 * the next marker, when the guest stopped first), the last DMESG_LINES of them.
 */
export function kernelLinesDuring(consoleLog: string, test: string): string[] {
  const out: string[] = [];
  let inside = false;
  for (const raw of consoleLog.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (line.includes(`${MARK}test-start ${test}`) && line.trim().endsWith(test)) {
      inside = true;
      out.length = 0;
      continue;
    }
    if (!inside) continue;
    if (line.includes(`${MARK}test-start `) || line.includes(`${MARK}suite-end`)) break;
    const result = KTAP.exec(line.trim());
    if (result?.[2] === test) break;
    if (KERNEL_LINE.test(line)) out.push(line.trim());
  }
  return tail(out, DMESG_LINES);
}

/** A unified diff without the file headers' timestamps, cut to DIFF_LINES (pure). */
function shortDiff(diff: string): string[] {
  const lines = diff.split('\n').map((l) => l.replace(/^(---|\+\+\+) (\S+)\s.*$/, '$1 $2'));
  if (lines.length <= DIFF_LINES) return lines;
  return [...lines.slice(0, DIFF_LINES - 1), `[... ${lines.length - DIFF_LINES + 1} more lines]`];
}

/** A failure's evidence: the .out.bad diff (or the end of its .full log), then the kernel log. */
function failureExcerpt(c: FstestsXunitCase, consoleDmesg: string[]): string {
  const parts: string[] = [];
  if (c.diff) parts.push(...shortDiff(c.diff));
  else if (c.full) parts.push(`${c.name}.full (end):`, ...tail(c.full.split('\n'), 6));
  const dmesg = c.dmesg ? tail(c.dmesg.split('\n'), DMESG_LINES) : consoleDmesg;
  if (dmesg.length > 0) parts.push('dmesg:', ...dmesg);
  return parts.join('\n');
}

function fromXunit(fs: string, xml: string, input: FstestsRunInput): TestResult[] {
  let cases: FstestsXunitCase[];
  try {
    cases = parseFstestsXunit(xml).cases;
  } catch (err) {
    const why = err instanceof FstestsXunitError ? err.message : String(err);
    return [{ suite: SUITE, name: fs, status: 'error', reason: `the ${fs} xunit report is unreadable: ${why}` }];
  }
  return cases.map((c) => {
    const name = `${fs}.${c.name}`;
    const ms = input.durations[name] ?? (c.timeS === null ? undefined : c.timeS * 1000);
    const base: TestResult = { suite: SUITE, name, status: 'pass', ...(ms === undefined ? {} : { durationMs: ms }) };
    if (c.status === 'notrun') return { ...base, status: 'skip', reason: c.message ?? 'not run' };
    if (c.status === 'pass') return base;
    const reason = (c.message ?? 'failed').replace(/^- /, '');
    return { ...base, status: 'fail', reason, excerpt: failureExcerpt(c, kernelLinesDuring(input.consoleLog, name)) };
  });
}

/** Results from the console's KTAP lines, for a filesystem whose report never came out. */
function fromConsole(fs: string, text: string, input: FstestsRunInput): TestResult[] {
  const out: TestResult[] = [];
  for (const line of text.split('\n')) {
    const m = KTAP.exec(line.trim());
    if (!m?.[2]?.startsWith(`${fs}.`)) continue;
    const name = m[2];
    const ms = input.durations[name];
    const base = { suite: SUITE, name, ...(ms === undefined ? {} : { durationMs: ms }) };
    if (m[3] !== undefined) out.push({ ...base, status: 'skip', reason: m[3] || 'not run' });
    else if (m[1] === 'ok') out.push({ ...base, status: 'pass' });
    else
      out.push({
        ...base,
        status: 'fail',
        reason: 'failed (no xunit report: the guest stopped before it was copied out)',
        excerpt: kernelLinesDuring(input.consoleLog, name).join('\n'),
      });
  }
  const { lastTest, lastTestFinished, killed } = input.stop;
  if (lastTest?.startsWith(`${fs}.`) && !lastTestFinished && !out.some((t) => t.name === lastTest)) {
    const why = input.stop.killNote ?? (killed ? `guest killed (${killed})` : 'guest stopped');
    out.push({
      suite: SUITE,
      name: lastTest,
      status: killed === 'test-timeout' ? 'timeout' : 'error',
      reason: `no result: ${why}`,
      excerpt: tail(input.consoleLog.split('\n'), 20).join('\n'),
    });
  }
  return out;
}

/** Every result of the suite (pure). */
export function fstestsResults(input: FstestsRunInput): TestResult[] {
  const section = extractSuites(input.consoleLog).find((s) => s.suite === SUITE);
  if (!section) {
    const why = input.stop.killNote ?? 'guest stopped';
    return [{ suite: SUITE, name: SUITE, status: 'error', reason: `suite never started: ${why}` }];
  }
  const lines = section.text.split('\n');
  const results: TestResult[] = [];
  for (const l of lines) {
    const e = /^# DAXBOT-FSTESTS-ERROR (.*)$/.exec(l);
    if (e) results.push({ suite: SUITE, name: 'setup', status: 'error', reason: e[1] ?? 'unknown' });
    const k = /^# DAXBOT-FSTESTS-MKFS-FAILED (\S+) ?(.*)$/.exec(l);
    if (k) results.push({ suite: SUITE, name: `${k[1]}.mkfs`, status: 'error', reason: `mkfs failed: ${k[2] ?? ''}` });
  }
  for (const fs of input.filesystems) {
    const xml = input.files.find((f) => f.name === `${fs}/result.xml`);
    results.push(...(xml ? fromXunit(fs, xml.data.toString('utf8'), input) : fromConsole(fs, section.text, input)));
  }
  if (results.length === 0) {
    const last = lines.filter((l) => l.trim()).pop() ?? 'no output';
    const why = section.complete
      ? `check ran no test: ${last}`
      : `no result: ${input.stop.killNote ?? 'guest stopped'}`;
    results.push({ suite: SUITE, name: SUITE, status: 'error', reason: why });
  }
  return results;
}

/** The byte count the guest reported writing to the results disk, or null (pure). */
export function resultsBytes(consoleLog: string): number | null {
  const m = /^# DAXBOT-FSTESTS-RESULTS (\d+)\s*$/m.exec(consoleLog.replace(/\r/g, ''));
  return m?.[1] ? Number(m[1]) : null;
}
