/**
 * Boots a guest and watches its serial console as it streams: the boot timeout (no "DAXBOT:
 * init" yet), a per-test timeout (a test started and no result line came), and the overall
 * timeout. On any of them the whole QEMU process group is killed and the run records what was
 * running. QEMU runs in the sandbox like the build: the guest kernel is patch-built code.
 */
import { appendFile, open, truncate as truncateFile, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { InfraError } from '../../bot/errors.ts';
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

/** What the console has said so far: the guest protocol's markers, as they streamed in. */
interface GuestProgress {
  initSeen: boolean;
  doneSeen: boolean;
  doneAt: number;
  lastTest: string | null;
  lastTestFinished: boolean;
  testStartedAt: number;
  bootMs: number | null;
  durations: Record<string, number>;
}

function observeLine(g: GuestProgress, line: string, started: number): void {
  const ev = parseGuestLine(line);
  if (!ev) return;
  if (ev.kind === 'init') g.initSeen = true;
  else if (ev.kind === 'done') {
    g.doneSeen = true;
    g.doneAt = Date.now();
  } else if (ev.kind === 'test-start') {
    if (g.bootMs === null) g.bootMs = Date.now() - started;
    g.lastTest = ev.test;
    g.lastTestFinished = false;
    g.testStartedAt = Date.now();
  } else if (ev.kind === 'result' && ev.test === g.lastTest) {
    g.lastTestFinished = true;
    g.durations[ev.test] = Date.now() - g.testStartedAt;
  }
}

/** The timeout the guest has run into by now, if any. */
function overdue(g: GuestProgress, o: QemuRunOptions, started: number, now: number): KillReason | null {
  // The results are in: a guest that cannot power off (a crashed task holding locks) is cut.
  if (g.doneSeen && now - g.doneAt > SHUTDOWN_GRACE_MS) return 'shutdown-timeout';
  if (now - started > o.overallTimeoutMs) return 'overall-timeout';
  if (!g.initSeen && now - started > o.bootTimeoutMs) return 'boot-timeout';
  if (g.lastTest && !g.lastTestFinished && now - g.testStartedAt > o.testTimeoutMs) return 'test-timeout';
  return null;
}

/** QEMU in the sandbox (or directly when `sandbox: false`); throws InfraError if it cannot start. */
async function launch(
  o: QemuRunOptions,
  qemu: string,
  args: string[],
  signal: AbortSignal,
  onOutput: (chunk: string, stream: 'stdout' | 'stderr') => void,
): Promise<{ code: number | null }> {
  const readOnly = [o.spec.kernel, o.spec.initrd, ...(o.readOnly ?? [])];
  const readWrite = [...new Set([...o.spec.nvdimms.map((d) => path.dirname(d.path)), ...(o.readWrite ?? [])])];
  try {
    return o.sandbox === false
      ? await (o.exec ?? (await import('../sandbox/exec.ts')).execCommand)(qemu, args, {
          signal,
          logFile: o.logFile,
          onOutput,
        })
      : await runSandboxed({ readOnly, readWrite }, qemu, args, { exec: o.exec, signal, logFile: o.logFile, onOutput });
  } catch (err) {
    throw new InfraError(`cannot start ${qemu}`, { cause: String(err) });
  }
}

/** Launches QEMU and returns when it exits or is killed. Throws InfraError only if it cannot start. */
export async function runQemu(o: QemuRunOptions): Promise<QemuRunResult> {
  await createNvdimmFiles(o.spec);
  const qemu = o.spec.qemu ?? 'qemu-system-x86_64';
  const args = qemuArgs(o.spec);
  const started = Date.now();
  const ctl = new AbortController();
  const g: GuestProgress = {
    initSeen: false,
    doneSeen: false,
    doneAt: 0,
    lastTest: null,
    lastTestFinished: false,
    testStartedAt: 0,
    bootMs: null,
    durations: {},
  };
  let killed: KillReason | null = null;
  let killNote: string | null = null;
  const kill = (why: KillReason): void => {
    if (killed) return;
    killed = why;
    const elapsed = { elapsedMs: Date.now() - started, testMs: Date.now() - g.testStartedAt };
    killNote = describeKill(why, { ...g, ...elapsed, o });
    ctl.abort();
  };
  const onExternalAbort = (): void => kill('cancelled');
  o.signal?.addEventListener('abort', onExternalAbort, { once: true });
  let consoleText = '';
  let partial = '';
  let stderr = '';
  const onLine = (line: string): void => {
    o.onLine?.(line);
    observeLine(g, line, started);
  };
  const timer = setInterval(() => {
    const why = overdue(g, o, started, Date.now());
    if (why) kill(why);
  }, 250);
  const onOutput = (chunk: string, stream: 'stdout' | 'stderr'): void => {
    if (stream === 'stderr') {
      stderr += chunk;
      return;
    }
    consoleText += chunk;
    partial += chunk;
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const l of lines) onLine(l.replace(/\r$/, ''));
  };
  let r;
  try {
    r = await launch(o, qemu, args, ctl.signal, onOutput);
  } finally {
    clearInterval(timer);
    o.signal?.removeEventListener('abort', onExternalAbort);
  }
  if (partial) onLine(partial);
  // After QEMU is gone, so the note cannot interleave with console output still streaming in.
  if (killNote) await appendFile(o.logFile, `\n[daxbot] guest killed: ${killNote}\n`).catch(() => undefined);
  return {
    exitCode: r.code,
    console: consoleText,
    stderr,
    killed,
    killNote,
    lastTest: g.lastTest,
    lastTestFinished: g.lastTestFinished,
    initSeen: g.initSeen,
    doneSeen: g.doneSeen,
    testDurations: g.durations,
    bootMs: g.bootMs,
    durationMs: Date.now() - started,
    command: [qemu, ...args],
  };
}
