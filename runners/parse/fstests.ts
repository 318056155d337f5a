/**
 * xfstests `check` output: per-test lines ("generic/001 3s ...  3s", "[not run] why",
 * "- output mismatch (see ...)", "[failed, exit status 1]") and the closing summary
 * ("Ran:", "Not run:", "Failures:", "Failed N of M tests", "Passed all N tests").
 * Works on quoted copies in mail ("> ") too.
 */
import type { TestResult } from '../types.ts';

export interface FstestsSummary {
  ran: string[];
  notRun: string[];
  failures: string[];
  /** "Failed N of M tests" / "Passed all M tests". */
  failed: number | null;
  total: number | null;
}

export interface FstestsSection {
  /** From "SECTION -- name" (check -s); null for a run without sections. */
  name: string | null;
  summary: FstestsSummary;
}

export interface FstestsResult {
  tests: TestResult[];
  /** The first complete run's summary (a mail often quotes one run, then another to compare). */
  summary: FstestsSummary | null;
  /** Every run's summary in order: one per SECTION, or per summary block when quoted runs follow each other. */
  sections: FstestsSection[];
}

const QUOTE = /^(?:\s*>)+ ?/;
const TEST_ID = '((?:generic|xfs|ext4|btrfs|overlay|shared|nfs|cifs|f2fs|udf|ocfs2|perf|selftest)/[0-9]{3,4})';
const TEST_LINE = new RegExp(`^${TEST_ID}(?:\\s+(.*))?$`);
const NAMES = /(?:generic|xfs|ext4|btrfs|overlay|shared|nfs|cifs|f2fs|udf|ocfs2|perf|selftest)\/[0-9]{3,4}/g;
const SECONDS = /(?:^|\s)([0-9]+)s(?:\s|$)/g;

function unquote(line: string): string {
  return line.replaceAll('\r', '').replace(QUOTE, '').trimEnd();
}

const emptySummary = (): FstestsSummary => ({ ran: [], notRun: [], failures: [], failed: null, total: null });

/** One test's line of `check` output ("generic/001 3s ...", "[not run] ..."), or null when it is none. */
function testLineResult(line: string): TestResult | null {
  const m = TEST_LINE.exec(line.trim());
  if (m === null || m[1] === undefined) return null;
  const name = m[1];
  const rest = (m[2] ?? '').trim();
  if (rest === '' || /^(?:[a-z0-9]+\/[0-9]{3,4}\s*)+"?$/.test(rest)) return null; // a bare list of names
  const suite = name.slice(0, name.indexOf('/'));
  let result: TestResult;
  const notRun = /\[not run\]\s*(.*)$/.exec(rest);
  const failedExit = /\[failed, exit status ([0-9]+)\]/.exec(rest);
  if (notRun !== null) {
    const reason = (notRun[1] ?? '').trim();
    result = { suite, name, status: 'skip', reason: reason === '' ? 'not run' : reason };
  } else if (/\[expunged\]/.test(rest)) {
    result = { suite, name, status: 'skip', reason: 'expunged' };
  } else if (failedExit !== null) {
    result = { suite, name, status: 'fail', reason: `exit status ${failedExit[1]}` };
  } else if (/- output mismatch/.test(rest)) {
    result = { suite, name, status: 'fail', reason: rest.slice(rest.indexOf('- output mismatch') + 2).trim() };
  } else if (/_check_(?:generic|xfs|btrfs|ext4|dmesg)|inconsistent|\[failed/.test(rest)) {
    result = { suite, name, status: 'fail', reason: rest };
  } else if (/[0-9]+s\b/.test(rest)) {
    result = { suite, name, status: 'pass' };
  } else return null;
  // "3s ...  4s": the last figure is this run's time.
  const secs = [...rest.matchAll(SECONDS)].map((s) => Number(s[1]));
  const last = secs[secs.length - 1];
  if (result.status === 'pass' && last !== undefined) result.durationMs = last * 1000;
  return result;
}

export function parseFstests(text: string): FstestsResult {
  const tests = new Map<string, TestResult>();
  const sections: FstestsSection[] = [];
  let current: FstestsSection | null = null;
  // A summary block ends with "Failed N of M" / "Passed all N"; what comes after belongs to another run.
  let closed = false;
  const section = (): FstestsSection => {
    if (current === null || closed) {
      current = { name: null, summary: emptySummary() };
      sections.push(current);
      closed = false;
    }
    return current;
  };
  let listKey: 'ran' | 'notRun' | 'failures' | null = null;
  for (const raw of text.split('\n')) {
    const line = unquote(raw);
    const named = /^SECTION\s+--\s+(\S+)/.exec(line);
    if (named !== null) {
      current = { name: named[1] ?? null, summary: emptySummary() };
      sections.push(current);
      closed = false;
      listKey = null;
      continue;
    }
    const listStart = /^(Ran|Not run|Failures):\s*(.*)$/.exec(line);
    if (listStart !== null) {
      listKey = listStart[1] === 'Ran' ? 'ran' : listStart[1] === 'Not run' ? 'notRun' : 'failures';
      const summary = section().summary;
      // The same list twice without a closing line: a second, quoted copy of the summary starts.
      if (summary[listKey].length > 0) {
        closed = true;
        section().summary[listKey].push(...((listStart[2] ?? '').match(NAMES) ?? []));
      } else summary[listKey].push(...((listStart[2] ?? '').match(NAMES) ?? []));
      continue;
    }
    const failed = /^Failed ([0-9]+) of ([0-9]+) tests/.exec(line);
    if (failed !== null) {
      listKey = null;
      const summary = section().summary;
      summary.failed = Number(failed[1]);
      summary.total = Number(failed[2]);
      closed = true;
      continue;
    }
    const passed = /^Passed all ([0-9]+) tests/.exec(line);
    if (passed !== null) {
      listKey = null;
      const summary = section().summary;
      summary.failed = 0;
      summary.total = Number(passed[1]);
      closed = true;
      continue;
    }
    // Summary lists wrap onto lines that hold only test names.
    if (listKey !== null && /^\s*(?:[a-z0-9]+\/[0-9]{3,4}\s*)+"?$/.test(line)) {
      section().summary[listKey].push(...(line.match(NAMES) ?? []));
      continue;
    }
    listKey = null;
    const result = testLineResult(line);
    if (result !== null && !tests.has(result.name)) tests.set(result.name, result);
  }
  // A SECTION header quoted without its results says nothing; a summary without its closing
  // "Failed N of M" line is often a list quoted in prose, so the first closed one is preferred.
  const runs = sections.filter(
    (x) => x.summary.total !== null || x.summary.ran.length + x.summary.notRun.length + x.summary.failures.length > 0,
  );
  const first = runs.find((x) => x.summary.total !== null) ?? runs[0];
  return { tests: [...tests.values()], summary: first?.summary ?? null, sections: runs };
}
