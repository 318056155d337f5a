/**
 * xfstests `check` output: per-test lines ("generic/001 3s ...  3s", "[not run] why",
 * "- output mismatch (see ...)", "[failed, exit status 1]") and the closing summary
 * ("Ran:", "Not run:", "Failures:", "Failed N of M tests", "Passed all N tests").
 * Works on quoted copies in mail ("> ") too. Also fstests' xunit report (`check -R xunit`), the
 * machine-readable record of a run the bot made itself (parseFstestsXunit).
 */
import { XMLParser } from 'fast-xml-parser';
import { z } from 'zod';
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

/** One `<testcase>` of fstests' xunit report (`check -R xunit`, common/report). */
export interface FstestsXunitCase {
  /** "generic/413" */
  name: string;
  status: 'pass' | 'fail' | 'notrun';
  /** Seconds, as check measured them (whole seconds); null when absent. */
  timeS: number | null;
  /** A notrun's reason (its .notrun file) or a failure's message ("- output mismatch (see ...)"). */
  message: string | null;
  /** The test's .full log (failures only). */
  full: string | null;
  /** `diff -u` of the golden output and the .out.bad (failures with an output mismatch). */
  diff: string | null;
  /** What check's _check_dmesg found in the kernel log during the test (failures only). */
  dmesg: string | null;
}

export interface FstestsXunitReport {
  /** The `<property>` list: FSTYP, MOUNT_OPTIONS, TEST_DEV, KERNEL, ... */
  properties: Record<string, string>;
  cases: FstestsXunitCase[];
}

const cdata = z.union([z.string(), z.array(z.string())]).optional();
const textNode = z.union([z.string(), z.object({ '#cdata': cdata }).passthrough()]).optional();
const xunitSchema = z.object({
  testsuite: z
    .object({
      properties: z
        .object({ property: z.array(z.object({ name: z.string(), value: z.string().default('') })).default([]) })
        .or(z.string())
        .optional(),
      testcase: z
        .array(
          z.object({
            name: z.string(),
            time: z.string().optional(),
            skipped: z.union([z.string(), z.object({ message: z.string().optional() })]).optional(),
            failure: z.union([z.string(), z.object({ message: z.string().optional() })]).optional(),
            'system-out': textNode,
            'system-err': textNode,
            'kernel-log': textNode,
          }),
        )
        .default([]),
    })
    .passthrough(),
});

/** A CDATA element's text (encode_cdata splits a "]]>" inside into two sections: "]]" and ">"), trimmed. */
function cdataText(node: z.infer<typeof textNode>): string | null {
  if (node === undefined) return null;
  const raw = typeof node === 'string' ? node : node['#cdata'];
  const text = Array.isArray(raw) ? raw.join('') : (raw ?? '');
  const trimmed = text.replace(/^\n+|\s+$/g, '');
  return trimmed === '' ? null : trimmed;
}

function message(node: string | { message?: string | undefined } | undefined): string | null {
  if (node === undefined || typeof node === 'string') return null;
  return node.message?.trim() || null;
}

/**
 * fstests' xunit report (result.xml) → its cases. Throws FstestsXunitError for text that is not
 * such a report (not XML, or no <testsuite>): the caller says so instead of guessing.
 */
export function parseFstestsXunit(xml: string): FstestsXunitReport {
  let doc: unknown;
  try {
    doc = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: '',
      cdataPropName: '#cdata',
      parseTagValue: false,
      parseAttributeValue: false,
      processEntities: true,
      isArray: (tag) => tag === 'testcase' || tag === 'property',
    }).parse(xml, true);
  } catch (err) {
    throw new FstestsXunitError(`not XML: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
  const parsed = xunitSchema.safeParse(doc);
  if (!parsed.success) throw new FstestsXunitError(`not an fstests xunit report: ${parsed.error.issues[0]?.message}`);
  const suite = parsed.data.testsuite;
  const properties: Record<string, string> = {};
  if (suite.properties && typeof suite.properties !== 'string')
    for (const p of suite.properties.property) properties[p.name] = p.value;
  const cases = suite.testcase.map((c): FstestsXunitCase => {
    const t = c.time === undefined || c.time === '' ? null : Number(c.time);
    const status = c.failure !== undefined ? 'fail' : c.skipped !== undefined ? 'notrun' : 'pass';
    return {
      name: c.name,
      status,
      timeS: t !== null && Number.isFinite(t) ? t : null,
      message: status === 'fail' ? message(c.failure) : status === 'notrun' ? message(c.skipped) : null,
      full: cdataText(c['system-out']),
      diff: cdataText(c['system-err']),
      dmesg: cdataText(c['kernel-log']),
    };
  });
  return { properties, cases };
}

export class FstestsXunitError extends Error {
  readonly kind = 'fstests-xunit';
}
