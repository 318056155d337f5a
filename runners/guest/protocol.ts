/**
 * The guest ↔ host console protocol (pure). The guest init prints "DAXBOT: ..." marker lines
 * (runners/guest/init.sh, suites/lib.sh) and KTAP results between suite markers; the kernel's own
 * messages interleave on the same serial line.
 */

export const MARK = 'DAXBOT: ';

export type GuestEvent =
  | { kind: 'init' }
  | { kind: 'suite-begin'; suite: string }
  | { kind: 'suite-end'; suite: string }
  | { kind: 'test-start'; test: string }
  | { kind: 'result'; test: string; ok: boolean }
  | { kind: 'done' };

/** One console line → an event, or null. */
export function parseGuestLine(line: string): GuestEvent | null {
  const l = line.replace(/\r$/, '');
  const i = l.indexOf(MARK);
  if (i >= 0) {
    const rest = l.slice(i + MARK.length).trim();
    const [word, arg = ''] = rest.split(/\s+/, 2);
    if (word === 'init') return { kind: 'init' };
    if (word === 'done') return { kind: 'done' };
    if (word === 'suite-begin') return { kind: 'suite-begin', suite: arg };
    if (word === 'suite-end') return { kind: 'suite-end', suite: arg };
    if (word === 'test-start') return { kind: 'test-start', test: arg };
    return null;
  }
  const r = /^(not ok|ok) \d+ (\S+)/.exec(l);
  if (r?.[2]) return { kind: 'result', test: r[2], ok: r[1] === 'ok' };
  return null;
}

export interface SuiteSection {
  suite: string;
  /** The KTAP text (kernel log lines removed). */
  text: string;
  /** False when the suite-end marker never came (crash, hang, kill). */
  complete: boolean;
  /** Test names from the "# DAXBOT plan:" line. */
  plan: string[];
}

/** Kernel printk lines with PRINTK_TIME start with "[    1.234567]". */
const KERNEL_LINE = /^\s*\[\s*\d+\.\d+\]/;

/** Cuts each suite's KTAP text out of the console log. */
export function extractSuites(consoleLog: string): SuiteSection[] {
  const out: SuiteSection[] = [];
  let cur: SuiteSection | null = null;
  for (const raw of consoleLog.split('\n')) {
    const line = raw.replace(/\r$/, '');
    const ev = parseGuestLine(line);
    if (ev?.kind === 'suite-begin') {
      cur = { suite: ev.suite, text: '', complete: false, plan: [] };
      out.push(cur);
      continue;
    }
    if (ev?.kind === 'suite-end' && cur) {
      cur.complete = true;
      cur = null;
      continue;
    }
    if (!cur || line.trim() === '' || KERNEL_LINE.test(line) || line.includes(MARK)) continue;
    const plan = /^# DAXBOT plan: (.*)$/.exec(line);
    if (plan?.[1]) cur.plan = plan[1].trim().split(/\s+/);
    cur.text += `${line}\n`;
  }
  return out;
}
