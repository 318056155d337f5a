/**
 * Boots a guest and watches its serial console as it streams: the boot timeout (no "DAXBOT:
 * init" yet), a per-test timeout (a test started and no result line came), and the overall
 * timeout. On any of them the whole QEMU process group is killed and the run records what was
 * running. QEMU runs in the sandbox like the build: the guest kernel is patch-built code.
 */
import { appendFile, open, truncate as truncateFile, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { InfraError } from '../errors.ts';
import { runSandboxed } from '../sandbox/bwrap.ts';
import type { Exec } from '../sandbox/exec.ts';
import { parseGuestLine } from '../guest/protocol.ts';
import { nvdimmBackendBytes, qemuArgs, type QemuSpec } from './args.ts';

export type KillReason = 'boot-timeout' | 'test-timeout' | 'overall-timeout' | 'cancelled' | 'shutdown-timeout';

/** After the guest printed "done", how long it may take to power off before it is killed. */
export const SHUTDOWN_GRACE_MS = 15_000;

export interface QemuRunOptions {
  spec: QemuSpec;
  /** Serial console copy, written as it arrives. */
  logFile: string;
  bootTimeoutMs: number;
  testTimeoutMs: number;
  overallTimeoutMs: number;
  signal?: AbortSignal;
  onLine?: (line: string) => void;
  /** Paths QEMU must read inside the sandbox besides kernel, initrd and NVDIMM files. */
  readOnly?: string[];
  /** Folders QEMU may write besides the NVDIMM files' (e.g. copy-on-write disk overlays). */
  readWrite?: string[];
  sandbox?: boolean;
  exec?: Exec;
}

export interface QemuRunResult {
  exitCode: number | null;
  console: string;
  /** QEMU's own stderr (startup errors). */
  stderr: string;
  killed: KillReason | null;
  /**
   * When killed: what was running and for how long, in words ("test-timeout: test ext4_mmap_rw
   * gave no result for 300 s"). Also appended to the console log file, so the log says it too.
   */
  killNote?: string | null;
  /** The test running when the guest was killed (or the last one started). */
  lastTest: string | null;
  /** Whether the test in lastTest printed its result. */
  lastTestFinished: boolean;
  initSeen: boolean;
  doneSeen: boolean;
  /** Per test (as printed) how long it took, from its start marker to its result line. */
  testDurations: Record<string, number>;
  /** ms from launch to the first test-start marker. */
  bootMs: number | null;
  durationMs: number;
  command: string[];
}

/** Creates the sparse NVDIMM backing files (size + label). A fresh file per run: a clean DIMM. */
export async function createNvdimmFiles(spec: QemuSpec): Promise<void> {
  for (const d of spec.nvdimms) {
    await mkdir(path.dirname(d.path), { recursive: true });
    await rm(d.path, { force: true });
    const fh = await open(d.path, 'w');
    await fh.close();
    await truncateFile(d.path, nvdimmBackendBytes(d));
  }
}

function describeKill(
  why: KillReason,
  st: {
    lastTest: string | null;
    lastTestFinished: boolean;
    initSeen: boolean;
    elapsedMs: number;
    testMs: number;
    o: QemuRunOptions;
  },
): string {
  const s = (ms: number): string => `${Math.round(ms / 1000)} s`;
  const running = st.lastTest
    ? st.lastTestFinished
      ? `after test ${st.lastTest} (finished)`
      : `in test ${st.lastTest}`
    : st.initSeen
      ? 'before the first test'
      : 'during boot';
  switch (why) {
    case 'boot-timeout':
      return `boot-timeout: no guest init after ${s(st.o.bootTimeoutMs)}`;
    case 'test-timeout':
      return `test-timeout: test ${st.lastTest ?? '?'} gave no result for ${s(st.testMs)} (limit ${s(st.o.testTimeoutMs)})`;
    case 'overall-timeout':
      return `overall-timeout: ${s(st.elapsedMs)} elapsed (limit ${s(st.o.overallTimeoutMs)}), ${running}`;
    case 'shutdown-timeout':
      return `shutdown-timeout: results complete, guest did not power off within ${s(SHUTDOWN_GRACE_MS)}`;
    case 'cancelled':
      return `cancelled by the bot, ${running}`;
  }
}

/** What the console said so far: its text and the guest protocol's progress markers. */
interface Watch {
  started: number;
  consoleText: string;
  partial: string;
  stderr: string;
  initSeen: boolean;
  doneSeen: boolean;
  doneAt: number;
  lastTest: string | null;
  lastTestFinished: boolean;
  testStartedAt: number;
  bootMs: number | null;
  durations: Record<string, number>;
}

function newWatch(): Watch {
  return {
    started: Date.now(),
    consoleText: '',
    partial: '',
    stderr: '',
    initSeen: false,
    doneSeen: false,
    doneAt: 0,
    lastTest: null,
    lastTestFinished: false,
    testStartedAt: 0,
    bootMs: null,
    durations: {},
  };
}

/** Records one console line's protocol event (init, test start and result, done). */
function watchLine(w: Watch, line: string, o: QemuRunOptions): void {
  o.onLine?.(line);
  const ev = parseGuestLine(line);
  if (!ev) return;
  if (ev.kind === 'init') w.initSeen = true;
  else if (ev.kind === 'done') {
    w.doneSeen = true;
    w.doneAt = Date.now();
  } else if (ev.kind === 'test-start') {
    if (w.bootMs === null) w.bootMs = Date.now() - w.started;
    w.lastTest = ev.test;
    w.lastTestFinished = false;
    w.testStartedAt = Date.now();
  } else if (ev.kind === 'result' && ev.test === w.lastTest) {
    w.lastTestFinished = true;
    w.durations[ev.test] = Date.now() - w.testStartedAt;
  }
}

/** Console output as it streams: whole lines go to watchLine, QEMU's stderr is kept apart. */
function watchOutput(w: Watch, o: QemuRunOptions): (chunk: string, stream: 'stdout' | 'stderr') => void {
  return (chunk, stream) => {
    if (stream === 'stderr') {
      w.stderr += chunk;
      return;
    }
    w.consoleText += chunk;
    w.partial += chunk;
    const lines = w.partial.split('\n');
    w.partial = lines.pop() ?? '';
    for (const l of lines) watchLine(w, l.replace(/\r$/, ''), o);
  };
}

/** The limit the guest has passed at `now`, if any. */
function dueKill(w: Watch, o: QemuRunOptions, now: number): KillReason | null {
  // The results are in: a guest that cannot power off (a crashed task holding locks) is cut.
  if (w.doneSeen && now - w.doneAt > SHUTDOWN_GRACE_MS) return 'shutdown-timeout';
  if (now - w.started > o.overallTimeoutMs) return 'overall-timeout';
  if (!w.initSeen && now - w.started > o.bootTimeoutMs) return 'boot-timeout';
  if (w.lastTest && !w.lastTestFinished && now - w.testStartedAt > o.testTimeoutMs) return 'test-timeout';
  return null;
}

/** QEMU in the sandbox (or directly, for tests), seeing only its files. */
async function launch(
  o: QemuRunOptions,
  command: { qemu: string; args: string[] },
  signal: AbortSignal,
  onOutput: (chunk: string, stream: 'stdout' | 'stderr') => void,
) {
  const { qemu, args } = command;
  if (o.sandbox === false) {
    const exec = o.exec ?? (await import('../sandbox/exec.ts')).execCommand;
    return exec(qemu, args, { signal, logFile: o.logFile, onOutput });
  }
  const readOnly = [o.spec.kernel, o.spec.initrd, ...(o.readOnly ?? [])];
  const readWrite = [...new Set([...o.spec.nvdimms.map((d) => path.dirname(d.path)), ...(o.readWrite ?? [])])];
  return runSandboxed({ readOnly, readWrite }, qemu, args, { exec: o.exec, signal, logFile: o.logFile, onOutput });
}

/** Launches QEMU and returns when it exits or is killed. Throws InfraError only if it cannot start. */
export async function runQemu(o: QemuRunOptions): Promise<QemuRunResult> {
  await createNvdimmFiles(o.spec);
  const qemu = o.spec.qemu ?? 'qemu-system-x86_64';
  const args = qemuArgs(o.spec);
  const w = newWatch();
  const ctl = new AbortController();
  let killed: KillReason | null = null;
  let killNote: string | null = null;
  const kill = (why: KillReason): void => {
    if (killed) return;
    killed = why;
    const now = Date.now();
    killNote = describeKill(why, { ...w, elapsedMs: now - w.started, testMs: now - w.testStartedAt, o });
    ctl.abort();
  };
  const onExternalAbort = (): void => kill('cancelled');
  o.signal?.addEventListener('abort', onExternalAbort, { once: true });
  const timer = setInterval(() => {
    const why = dueKill(w, o, Date.now());
    if (why) kill(why);
  }, 250);
  let r;
  try {
    r = await launch(o, { qemu, args }, ctl.signal, watchOutput(w, o));
  } catch (err) {
    throw new InfraError(`cannot start ${qemu}`, { cause: String(err) });
  } finally {
    clearInterval(timer);
    o.signal?.removeEventListener('abort', onExternalAbort);
  }
  if (w.partial) watchLine(w, w.partial, o);
  // After QEMU is gone, so the note cannot interleave with console output still streaming in.
  if (killNote) await appendFile(o.logFile, `\n[daxbot] guest killed: ${killNote}\n`).catch(() => undefined);
  return {
    exitCode: r.code,
    console: w.consoleText,
    stderr: w.stderr,
    killed,
    killNote,
    lastTest: w.lastTest,
    lastTestFinished: w.lastTestFinished,
    initSeen: w.initSeen,
    doneSeen: w.doneSeen,
    testDurations: w.durations,
    bootMs: w.bootMs,
    durationMs: Date.now() - w.started,
    command: [qemu, ...args],
  };
}
