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

/**
 * The test that had started when the console reached `offset`: the name on the last
 * "DAXBOT: test-start" line before it, or null before the first test.
 */
export function testRunningAt(consoleLog: string, offset: number): string | null {
  const marker = `${MARK}test-start `;
  const at = offset > 0 ? consoleLog.lastIndexOf(marker, offset - 1) : -1;
  if (at < 0) return null;
  const end = consoleLog.indexOf('\n', at);
  const name = consoleLog.slice(at + marker.length, end < 0 ? undefined : end).trim();
  return name.split(/\s+/)[0] || null;
}

/** Each finding with the test during which the kernel printed it (Finding.test), when known. */
export function locateFindings<F extends { report: string; test?: string }>(consoleLog: string, findings: F[]): F[] {
  return findings.map((f) => {
    if (f.test !== undefined || f.report === '') return f;
    const at = consoleLog.indexOf(f.report);
    const test = at < 0 ? null : testRunningAt(consoleLog, at);
    return test === null ? f : { ...f, test };
  });
}

export interface StuckTask {
  /** "pid/tid" as the guest printed it. */
  task: string;
  comm: string;
  state: string;
  wchan: string;
  /** Kernel stack frames ("ext4_break_layouts+0x4c/0xd5"), innermost first. */
  stack: string[];
}

export interface WatchdogReport {
  test: string;
  seconds: number;
  tasks: StuckTask[];
}

/** Where a task waits when it is only waiting for another (a parent, a thread, a pipe, a timer). */
const IDLE_WAITS =
  /^(futex_wait_queue|futex_wait|do_wait|pipe_read|pipe_write|do_select|poll_schedule_timeout|do_sys_poll|ep_poll|hrtimer_nanosleep|do_nanosleep|wait_woken|sigsuspend|do_sigtimedwait|n_tty_read|devtmpfsd|0)$/;

/** The last watchdog block the guest printed (suites/lib.sh dump_stacks), or null. */
export function parseWatchdog(consoleLog: string): WatchdogReport | null {
  let report: WatchdogReport | null = null;
  let open: WatchdogReport | null = null;
  let task: StuckTask | null = null;
  for (const raw of consoleLog.split('\n')) {
    const line = raw.replace(/\r$/, '');
    const begin = /DAXBOT: watchdog (\S+) (\d+)/.exec(line);
    if (begin?.[1] && begin[2]) {
      open = { test: begin[1], seconds: Number(begin[2]), tasks: [] };
      task = null;
      continue;
    }
    if (!open) continue;
    if (line.includes('DAXBOT: watchdog-end')) {
      report = open;
      open = null;
      continue;
    }
    const t = /^# task (\S+) (.+) state ([A-Z]) wchan (\S*)$/.exec(line);
    if (t?.[1] && t[2] && t[3]) {
      task = { task: t[1], comm: t[2], state: t[3], wchan: t[4] ?? '', stack: [] };
      open.tasks.push(task);
      continue;
    }
    const frame = /^#\s+\[<[0-9a-f]+>\] (\S+)/.exec(line);
    if (frame?.[1] && task) task.stack.push(frame[1]);
  }
  // A guest killed while printing still says something: keep the partial block.
  return report ?? open;
}

/** The task the hang is about: one in D state, else the first not merely waiting for another. */
export function stuckTask(w: WatchdogReport): StuckTask | null {
  return w.tasks.find((t) => t.state === 'D') ?? w.tasks.find((t) => !IDLE_WAITS.test(t.wchan)) ?? null;
}
