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

/** Launches QEMU and returns when it exits or is killed. Throws InfraError only if it cannot start. */
export async function runQemu(o: QemuRunOptions): Promise<QemuRunResult> {
  await createNvdimmFiles(o.spec);
  const qemu = o.spec.qemu ?? 'qemu-system-x86_64';
  const args = qemuArgs(o.spec);
  const started = Date.now();
  const ctl = new AbortController();
  let killed: KillReason | null = null;
  let killNote: string | null = null;
  const kill = (why: KillReason): void => {
    if (killed) return;
    killed = why;
    killNote = describeKill(why, {
      lastTest,
      lastTestFinished,
      initSeen,
      elapsedMs: Date.now() - started,
      testMs: Date.now() - testStartedAt,
      o,
    });
    ctl.abort();
  };
  const onExternalAbort = (): void => kill('cancelled');
  o.signal?.addEventListener('abort', onExternalAbort, { once: true });

  let consoleText = '';
  let partial = '';
  let stderr = '';
  let initSeen = false;
  let doneSeen = false;
  let doneAt = 0;
  let lastTest: string | null = null;
  let lastTestFinished = false;
  let testStartedAt = 0;
  let bootMs: number | null = null;
  const durations: Record<string, number> = {};

  const onLine = (line: string): void => {
    o.onLine?.(line);
    const ev = parseGuestLine(line);
    if (!ev) return;
    if (ev.kind === 'init') initSeen = true;
    else if (ev.kind === 'done') {
      doneSeen = true;
      doneAt = Date.now();
    } else if (ev.kind === 'test-start') {
      if (bootMs === null) bootMs = Date.now() - started;
      lastTest = ev.test;
      lastTestFinished = false;
      testStartedAt = Date.now();
    } else if (ev.kind === 'result' && ev.test === lastTest) {
      lastTestFinished = true;
      durations[ev.test] = Date.now() - testStartedAt;
    }
  };
  const timer = setInterval(() => {
    const now = Date.now();
    // The results are in: a guest that cannot power off (a crashed task holding locks) is cut.
    if (doneSeen && now - doneAt > SHUTDOWN_GRACE_MS) kill('shutdown-timeout');
    else if (now - started > o.overallTimeoutMs) kill('overall-timeout');
    else if (!initSeen && now - started > o.bootTimeoutMs) kill('boot-timeout');
    else if (lastTest && !lastTestFinished && now - testStartedAt > o.testTimeoutMs) kill('test-timeout');
  }, 250);

  const readOnly = [o.spec.kernel, o.spec.initrd, ...(o.readOnly ?? [])];
  const readWrite = [...new Set([...o.spec.nvdimms.map((d) => path.dirname(d.path)), ...(o.readWrite ?? [])])];
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
    r =
      o.sandbox === false
        ? await (o.exec ?? (await import('../sandbox/exec.ts')).execCommand)(qemu, args, {
            signal: ctl.signal,
            logFile: o.logFile,
            onOutput,
          })
        : await runSandboxed({ readOnly, readWrite }, qemu, args, {
            exec: o.exec,
            signal: ctl.signal,
            logFile: o.logFile,
            onOutput,
          });
  } catch (err) {
    throw new InfraError(`cannot start ${qemu}`, { cause: String(err) });
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
    lastTest,
    lastTestFinished,
    initSeen,
    doneSeen,
    testDurations: durations,
    bootMs,
    durationMs: Date.now() - started,
    command: [qemu, ...args],
  };
}
