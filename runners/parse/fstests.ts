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

export interface FstestsResult {
  tests: TestResult[];
  summary: FstestsSummary | null;
}

const QUOTE = /^(?:\s*>)+ ?/;
const TEST_ID = '((?:generic|xfs|ext4|btrfs|overlay|shared|nfs|cifs|f2fs|udf|ocfs2|perf|selftest)/[0-9]{3,4})';
const TEST_LINE = new RegExp(`^${TEST_ID}(?:\\s+(.*))?$`);
const NAMES = /(?:generic|xfs|ext4|btrfs|overlay|shared|nfs|cifs|f2fs|udf|ocfs2|perf|selftest)\/[0-9]{3,4}/g;
const SECONDS = /(?:^|\s)([0-9]+)s(?:\s|$)/g;

function unquote(line: string): string {
  return line.replaceAll('\r', '').replace(QUOTE, '').trimEnd();
}

export function parseFstests(text: string): FstestsResult {
  const tests = new Map<string, TestResult>();
  const summary: FstestsSummary = { ran: [], notRun: [], failures: [], failed: null, total: null };
  let haveSummary = false;
  let listKey: 'ran' | 'notRun' | 'failures' | null = null;
  for (const raw of text.split('\n')) {
    const line = unquote(raw);
    const listStart = /^(Ran|Not run|Failures):\s*(.*)$/.exec(line);
    if (listStart !== null) {
      listKey = listStart[1] === 'Ran' ? 'ran' : listStart[1] === 'Not run' ? 'notRun' : 'failures';
      haveSummary = true;
      if (summary[listKey].length > 0) listKey = null; // a second (quoted) copy of the summary
      else summary[listKey].push(...(listStart[2] ?? '').match(NAMES) ?? []);
      continue;
    }
    const failed = /^Failed ([0-9]+) of ([0-9]+) tests/.exec(line);
    if (failed !== null) {
      haveSummary = true;
      listKey = null;
      summary.failed ??= Number(failed[1]);
      summary.total ??= Number(failed[2]);
      continue;
    }
    const passed = /^Passed all ([0-9]+) tests/.exec(line);
    if (passed !== null) {
      haveSummary = true;
      listKey = null;
      summary.failed ??= 0;
      summary.total ??= Number(passed[1]);
      continue;
    }
    // Summary lists wrap onto lines that hold only test names.
    if (listKey !== null && /^\s*(?:[a-z0-9]+\/[0-9]{3,4}\s*)+"?$/.test(line)) {
      summary[listKey].push(...line.match(NAMES) ?? []);
      continue;
    }
    listKey = null;
    const m = TEST_LINE.exec(line.trim());
    if (m === null || m[1] === undefined) continue;
    const name = m[1];
    const rest = (m[2] ?? '').trim();
    if (rest === '' || /^(?:[a-z0-9]+\/[0-9]{3,4}\s*)+"?$/.test(rest)) continue; // a bare list of names
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
    } else continue;
    // "3s ...  4s": the last figure is this run's time.
    const secs = [...rest.matchAll(SECONDS)].map((s) => Number(s[1]));
    const last = secs[secs.length - 1];
    if (result.status === 'pass' && last !== undefined) result.durationMs = last * 1000;
    if (!tests.has(name)) tests.set(name, result);
  }
  return { tests: [...tests.values()], summary: haveSummary ? summary : null };
}
