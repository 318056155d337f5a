/**
 * `meson test` output of the ndctl suite, also as found in mail: quoted ("> "), prefixed with
 * build-service timestamps ("[   95s] "), sometimes wrapped after the status word.
 */
import type { TestResult } from '../types.ts';

export interface MesonSummary {
  ok: number;
  expectedFail: number;
  fail: number;
  unexpectedPass: number;
  skip: number;
  timeout: number;
}

export interface MesonResult {
  tests: TestResult[];
  summary: MesonSummary | null;
}

const LINE_PREFIX = /^(?:\s*>)*\s?(?:\[ *[0-9]+(?:\.[0-9]+)?s?\] ?)?/;
// " 1/73 ndctl:ndctl / libndctl    OK     10.12s" and the optional "exit status 77" tail.
const TEST_LINE =
  /^\s*([0-9]+)\s*\/\s*([0-9]+)\s+(\S+?)\s+\/\s+(\S+)\s+(OK|FAIL|SKIP|EXPECTEDFAIL|UNEXPECTEDPASS|TIMEOUT|ERROR)\b\s*(?:([0-9]+(?:\.[0-9]+)?)s)?\s*(.*)$/;
const CONTINUATION = /^\s*([0-9]+(?:\.[0-9]+)?)s\s*(.*)$/;
const SUMMARY: ReadonlyArray<[keyof MesonSummary, RegExp]> = [
  ['ok', /^\s*Ok:\s+([0-9]+)/],
  ['expectedFail', /^\s*Expected Fail:\s+([0-9]+)/],
  ['fail', /^\s*Fail:\s+([0-9]+)/],
  ['unexpectedPass', /^\s*Unexpected Pass:\s+([0-9]+)/],
  ['skip', /^\s*Skipped:\s+([0-9]+)/],
  ['timeout', /^\s*Timeout:\s+([0-9]+)/],
];

function strip(line: string): string {
  return line.replaceAll('\r', '').replace(LINE_PREFIX, '');
}

function statusOf(word: string, tail: string): Pick<TestResult, 'status' | 'reason' | 'missingPrerequisite'> {
  const reason = tail.replace(/^\(|\)$/g, '').trim();
  switch (word) {
    case 'OK':
      return { status: 'pass' };
    case 'EXPECTEDFAIL':
      return { status: 'pass', reason: 'expected failure' };
    case 'SKIP':
      // ndctl's test/common do_skip() exits 77: the environment lacks something (nfit_test, a tool).
      if (/exit status 77\b/.test(reason))
        return { status: 'skip', reason: 'exit status 77: missing prerequisite', missingPrerequisite: true };
      return reason === '' ? { status: 'skip' } : { status: 'skip', reason };
    case 'TIMEOUT':
      return { status: 'timeout', reason: reason === '' ? 'timeout' : reason };
    case 'UNEXPECTEDPASS':
      return { status: 'fail', reason: 'unexpected pass' };
    case 'ERROR':
      return { status: 'error', reason: reason === '' ? 'error' : reason };
    default:
      return { status: 'fail', reason: reason === '' ? 'failed' : reason };
  }
}

export function parseMesonTest(text: string): MesonResult {
  const tests: TestResult[] = [];
  const seen = new Set<string>();
  const summary: Partial<MesonSummary> = {};
  let summaryDone = false;
  const lines = text.split('\n').map(strip);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const m = TEST_LINE.exec(line);
    if (m !== null) {
      const [, num, total, suiteFull, name, word, secs, tailRaw] = m;
      let duration = secs;
      let tail = (tailRaw ?? '').trim();
      if (duration === undefined) {
        const cont = CONTINUATION.exec(lines[i + 1] ?? '');
        if (cont !== null) {
          duration = cont[1];
          tail = (cont[2] ?? '').trim();
          i++;
        }
      }
      // Mail often carries the output twice (the report and a quoted copy of it).
      const key = `${num}/${total} ${suiteFull} ${name}`;
      if (seen.has(key) || name === undefined || word === undefined) continue;
      seen.add(key);
      const suite = (suiteFull ?? '').replace(/^[^:]*:/, '');
      const result: TestResult = { suite: suite === '' ? 'ndctl' : suite, name, ...statusOf(word, tail) };
      if (duration !== undefined) result.durationMs = Math.round(Number(duration) * 1000);
      tests.push(result);
      continue;
    }
    if (summaryDone) continue;
    for (const [key, re] of SUMMARY) {
      const s = re.exec(line);
      if (s?.[1] !== undefined && summary[key] === undefined) summary[key] = Number(s[1]);
    }
    if (summary.timeout !== undefined) summaryDone = true;
  }
  const complete = summary.ok !== undefined && summary.fail !== undefined;
  return {
    tests,
    summary: complete
      ? {
          ok: summary.ok ?? 0,
          expectedFail: summary.expectedFail ?? 0,
          fail: summary.fail ?? 0,
          unexpectedPass: summary.unexpectedPass ?? 0,
          skip: summary.skip ?? 0,
          timeout: summary.timeout ?? 0,
        }
      : null,
  };
}
