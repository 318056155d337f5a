/**
 * What the console has said so far and when the guest must end (pure but for the clock values
 * passed in). The guest protocol's markers (runners/guest/protocol.ts) stream in line by line;
 * from them follow the timeouts that kill a guest (KillReason: boot, test, overall, shutdown,
 * cancel) and the two ends that are no failure (StopReason):
 *
 * - `results-complete`: the guest printed "DAXBOT: done" (init.sh prints it after every suite
 *   wrote its results: console lines, results disks written with dd conv=fsync), and the kernel
 *   had crashed earlier, so `poweroff -f` will likely hang on the dead task's locks. Nothing
 *   the host reads comes after "done", so the guest is stopped at once.
 * - `kernel-panic`: the kernel printed the end of a panic and halted; nothing more can come.
 *
 * A crash in the middle of a suite ends nothing by itself: the guest goes on with its next tests
 * under the usual per-test timeout. A guest that printed "done" without a crash gets
 * SHUTDOWN_GRACE_MS to power off; if it does not, it is killed (`shutdown-timeout`), which is
 * still no hang: its results are complete.
 */
import { parseGuestLine } from '../guest/protocol.ts';

export type KillReason = 'boot-timeout' | 'test-timeout' | 'overall-timeout' | 'cancelled' | 'shutdown-timeout';
export type StopReason = 'results-complete' | 'kernel-panic';

/** After a crash-free guest printed "done", how long it may take to power off before it is killed. */
export const SHUTDOWN_GRACE_MS = 1_500;

/** The start of a kernel report (oops, BUG, warning, panic), as the console parser's headers. */
const CRASH_LINE =
  /(?:BUG: |Oops: |kernel BUG at |general protection fault|Unable to handle kernel|WARNING: CPU: |KASAN: |UBSAN: |Kernel panic - not syncing)/;
/** The kernel's last words of a panic: it halts (or reboots) after this line. */
const PANIC_END = /---\[ end Kernel panic/;
/** Every line that can matter here has one of these (one cheap test for the lines that do not). */
const WORTH_A_LOOK = /DAXBOT: |ok |BUG|Oops|fault|Unable|WARNING|KASAN|UBSAN|panic/;

export interface GuestProgress {
  initSeen: boolean;
  doneSeen: boolean;
  doneAt: number;
  /** A kernel report started on the console (the guest may go on, or not). */
  crashSeen: boolean;
  panicEndedAt: number | null;
  lastTest: string | null;
  lastTestFinished: boolean;
  testStartedAt: number;
  bootMs: number | null;
  durations: Record<string, number>;
}

export function newProgress(): GuestProgress {
  return {
    initSeen: false,
    doneSeen: false,
    doneAt: 0,
    crashSeen: false,
    panicEndedAt: null,
    lastTest: null,
    lastTestFinished: false,
    testStartedAt: 0,
    bootMs: null,
    durations: {},
  };
}

export function observeLine(g: GuestProgress, line: string, started: number, now: number): void {
  if (!WORTH_A_LOOK.test(line)) return;
  if (CRASH_LINE.test(line)) g.crashSeen = true;
  if (PANIC_END.test(line)) g.panicEndedAt ??= now;
  const ev = parseGuestLine(line);
  if (!ev) return;
  if (ev.kind === 'init') g.initSeen = true;
  else if (ev.kind === 'done') {
    g.doneSeen = true;
    g.doneAt = now;
  } else if (ev.kind === 'test-start') {
    if (g.bootMs === null) g.bootMs = now - started;
    g.lastTest = ev.test;
    g.lastTestFinished = false;
    g.testStartedAt = now;
  } else if (ev.kind === 'result' && ev.test === g.lastTest) {
    g.lastTestFinished = true;
    g.durations[ev.test] = now - g.testStartedAt;
  }
}

export interface WatchLimits {
  bootTimeoutMs: number;
  testTimeoutMs: number;
  overallTimeoutMs: number;
}

/** How the guest must end by now, if it must: a stop (no failure) or a kill (a timeout). */
export function dueEnd(g: GuestProgress, o: WatchLimits, started: number, now: number): KillReason | StopReason | null {
  if (g.panicEndedAt !== null) return 'kernel-panic';
  if (g.doneSeen && g.crashSeen) return 'results-complete';
  if (g.doneSeen && now - g.doneAt > SHUTDOWN_GRACE_MS) return 'shutdown-timeout';
  if (now - started > o.overallTimeoutMs) return 'overall-timeout';
  if (!g.initSeen && now - started > o.bootTimeoutMs) return 'boot-timeout';
  if (g.lastTest && !g.lastTestFinished && now - g.testStartedAt > o.testTimeoutMs) return 'test-timeout';
  return null;
}

export function isStop(why: KillReason | StopReason): why is StopReason {
  return why === 'results-complete' || why === 'kernel-panic';
}

const secs = (ms: number): string => `${Math.round(ms / 1000)} s`;

function running(g: GuestProgress): string {
  if (g.lastTest) return g.lastTestFinished ? `after test ${g.lastTest} (finished)` : `in test ${g.lastTest}`;
  return g.initSeen ? 'before the first test' : 'during boot';
}

/** A stop in words, for the log and the console log's closing note. */
export function describeStop(why: StopReason, g: GuestProgress, now: number): string {
  if (why === 'kernel-panic') return `kernel-panic: the kernel panicked and halted ${running(g)}; stopped at once`;
  const after = ((now - g.doneAt) / 1000).toFixed(1);
  return `results-complete: results complete ("DAXBOT: done") after a kernel crash; stopped ${after} s later without waiting for it to power off`;
}

/** A kill in words: what was running and for how long ("test-timeout: test x gave no result for 300 s"). */
export function describeKill(
  why: KillReason,
  g: GuestProgress,
  o: WatchLimits,
  elapsedMs: number,
  now: number,
): string {
  switch (why) {
    case 'boot-timeout':
      return `boot-timeout: no guest init after ${secs(o.bootTimeoutMs)}`;
    case 'test-timeout':
      return `test-timeout: test ${g.lastTest ?? '?'} gave no result for ${secs(now - g.testStartedAt)} (limit ${secs(o.testTimeoutMs)})`;
    case 'overall-timeout':
      return `overall-timeout: ${secs(elapsedMs)} elapsed (limit ${secs(o.overallTimeoutMs)}), ${running(g)}`;
    case 'shutdown-timeout':
      return `shutdown-timeout: results complete, guest did not power off within ${(SHUTDOWN_GRACE_MS / 1000).toFixed(1)} s`;
    case 'cancelled':
      return `cancelled by the bot, ${running(g)}`;
  }
}
