/**
 * KTAP/TAP results ("ok 1 name", "not ok 2 name # reason", "ok 3 name # SKIP why") read from a
 * serial console, where kernel printk lines, "\r" and timestamps are interleaved with them.
 */
import type { TestResult } from '../types.ts';

const CONSOLE_PREFIX = /^(?:<[0-9]+>)?(?:\[ *[0-9]+\.[0-9]+\](?:\[ *[CT][0-9]+\])? )?/;
const RESULT = /^\s*(not ok|ok)\s+([0-9]+)\b\s*(?:-\s*)?([^#]*?)\s*(?:#\s*(.*))?$/;
const PLAN = /^\s*1\.\.([0-9]+)\b/;
const DURATION = /(?:^|\s)([0-9]+(?:\.[0-9]+)?)\s*(ms|s)\b/;

function clean(line: string): string {
  return line.replaceAll('\r', '').replace(CONSOLE_PREFIX, '');
}

/**
 * Reads the top-level results of one KTAP/TAP stream. Subtest lines (indented under a
 * "# Subtest:") are ignored: their parent's line carries the verdict. Tests announced by the
 * plan but never reported become 'error' "not run: guest stopped".
 */
export function parseKtap(text: string, suite: string): TestResult[] {
  const results: TestResult[] = [];
  const seen = new Set<number>();
  let planned = 0;
  let indent: number | null = null;
  const recent: string[] = [];
  for (const rawLine of text.split('\n')) {
    const line = clean(rawLine);
    const plan = PLAN.exec(line);
    const lead = line.length - line.trimStart().length;
    if (plan?.[1] !== undefined) {
      if (indent === null || lead <= indent) {
        indent = lead;
        planned = Math.max(planned, Number(plan[1]));
      }
      continue;
    }
    const m = RESULT.exec(line);
    if (m === null) {
      if (line.trim() !== '') recent.push(line.trim());
      if (recent.length > 8) recent.shift();
      continue;
    }
    if (indent !== null && lead > indent) continue;
    if (indent === null) indent = lead;
    const num = Number(m[2]);
    const name = (m[3] ?? '').trim() || `test ${num}`;
    const directive = (m[4] ?? '').trim();
    const passed = m[1] === 'ok';
    const result: TestResult = { suite, name, status: passed ? 'pass' : 'fail' };
    const upper = directive.toUpperCase();
    if (upper.startsWith('SKIP')) {
      result.status = 'skip';
      const reason = directive.slice(4).trim();
      if (reason !== '') result.reason = reason;
    } else if (upper.startsWith('TIMEOUT')) {
      result.status = 'timeout';
      result.reason = directive.slice(7).trim() || 'timeout';
    } else if (upper.startsWith('TODO')) {
      result.status = passed ? 'pass' : 'skip';
      result.reason = directive;
    } else if (directive !== '') {
      const d = DURATION.exec(directive);
      if (d?.[1] !== undefined) result.durationMs = Math.round(Number(d[1]) * (d[2] === 's' ? 1000 : 1));
      if (!passed) result.reason = directive;
    }
    if (result.status === 'fail' && recent.length > 0) result.excerpt = recent.slice(-5).join('\n');
    recent.length = 0;
    seen.add(num);
    results.push(result);
  }
  for (let n = 1; n <= planned; n++) {
    if (!seen.has(n)) results.push({ suite, name: `test ${n}`, status: 'error', reason: 'not run: guest stopped' });
  }
  return results;
}
