/**
 * Boots a guest and watches its serial console as it streams: the boot timeout (no "DAXBOT:
 * init" yet), a per-test timeout (a test started and no result line came), and the overall
 * timeout. On any of them the whole QEMU process group is killed and the run records what was
 * running. A guest with nothing more to say (its results complete after a crash, or a panicked
 * kernel) is stopped at once, which is no failure (./guest-watch.ts). QEMU runs in the sandbox
 * like the build: the guest kernel is patch-built code.
 *
 * The console is bounded whatever the guest prints (./console-buffer.ts, ./console-log.ts): its
 * head and tail are kept in memory and in the log file with a marker saying what was cut, lines
 * are split in linear time and cut when over-long; every line still streams past the watch. */
import { open, truncate as truncateFile, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { InfraError } from '../errors.ts';
import { runSandboxed } from '../sandbox/bwrap.ts';
import type { Exec } from '../sandbox/exec.ts';
import { nvdimmBackendBytes, qemuArgs, type QemuSpec } from './args.ts';
import { HeadTail, LineSplitter, MiB } from './console-buffer.ts';
import { CappedLog } from './console-log.ts';
import { Unsplicer, unsplice } from '../guest/splice.ts';
import {
  describeKill,
  describeStop,
  dueEnd,
  isStop,
  newProgress,
  observeLine,
  type KillReason,
  type StopReason,
} from './guest-watch.ts';

export type { KillReason, StopReason } from './guest-watch.ts';
export { SHUTDOWN_GRACE_MS } from './guest-watch.ts';

/**
 * How much of the console is kept, in characters: in memory (QemuRunResult.console) and in the
 * log file on disk, the first `head` and the last `tail`, with a marker line where the middle was
 * cut; of QEMU's stderr the first and last `stderr`; of one line handed to onLine, `line`.
 */
export interface ConsoleLimits {
  head: number;
  tail: number;
  stderr: number;
  line: number;
}

export const CONSOLE_LIMITS: ConsoleLimits = { head: 4 * MiB, tail: 4 * MiB, stderr: 256 * 1024, line: 64 * 1024 };

export interface QemuRunOptions {
  spec: QemuSpec;
  /** Serial console copy, written as it arrives (bounded: see ConsoleLimits). */
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
  /** Defaults: CONSOLE_LIMITS. */
  consoleLimits?: Partial<ConsoleLimits>;
}

export interface QemuRunResult {
  exitCode: number | null;
  /** The console as kept: whole, or its head and tail around a "[daxbot] N bytes ... cut here" line. */
  console: string;
  /** QEMU's own stderr (startup errors), bounded like the console. */
  stderr: string;
  killed: KillReason | null;
  /**
   * When killed: what was running and for how long, in words ("test-timeout: test ext4_mmap_rw
   * gave no result for 300 s"). Also appended to the console log file, so the log says it too.
   */
  killNote?: string | null;
  /**
   * When the bot ended a guest that had nothing more to say (no failure, no timeout): its results
   * were complete after a crash, or the kernel panicked and halted. Noted in the log like a kill.
   */
  stopped?: StopReason | null;
  stopNote?: string | null;
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
  /** ms from "DAXBOT: done" to QEMU gone (powered off, stopped or killed); null without "done". */
  shutdownMs?: number | null;
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

/** exec's own copy of the output is not read here: keep it small (the console is kept below). */
const EXEC_OUTPUT_CHARS = 64 * 1024;

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
  const options = { signal, onOutput, maxOutput: EXEC_OUTPUT_CHARS };
  try {
    return o.sandbox === false
      ? await (o.exec ?? (await import('../sandbox/exec.ts')).execCommand)(qemu, args, options)
      : await runSandboxed({ readOnly, readWrite }, qemu, args, { exec: o.exec, ...options });
  } catch (err) {
    throw new InfraError(`cannot start ${qemu}`, { cause: String(err) });
  }
}

/** The limits asked for, where each is a positive number; the default for the rest. */
function limitsOf(asked: Partial<ConsoleLimits> = {}): ConsoleLimits {
  const pick = (k: keyof ConsoleLimits): number => {
    const v = asked[k];
    return v !== undefined && Number.isFinite(v) && v > 0 ? Math.floor(v) : CONSOLE_LIMITS[k];
  };
  return { head: pick('head'), tail: pick('tail'), stderr: pick('stderr'), line: pick('line') };
}

/**
 * The console and stderr as they stream in, bounded (ConsoleLimits): kept in memory, copied to
 * the log file, cut into lines for `onLine`.
 */
function consoleSink(o: QemuRunOptions, onLine: (line: string) => void) {
  const lim = limitsOf(o.consoleLimits);
  const kept = new HeadTail(lim.head, lim.tail);
  const stderr = new HeadTail(lim.stderr, lim.stderr);
  const log = new CappedLog(o.logFile, lim.head, lim.tail);
  // Kernel records spliced into the guest's lines get their own lines (../guest/splice.ts), in
  // the lines watched and in the console the runners read; the log file keeps what QEMU printed.
  const unspliced = new Unsplicer(onLine);
  const lines = new LineSplitter(lim.line, (line) => unspliced.push(line));
  const onOutput = (chunk: string, stream: 'stdout' | 'stderr'): void => {
    log.write(chunk);
    if (stream === 'stderr') return stderr.push(chunk);
    kept.push(chunk);
    lines.push(chunk);
  };
  const end = (): void => {
    lines.end();
    unspliced.end();
  };
  return { onOutput, end, log, console: () => unsplice(kept.text()), stderr: () => stderr.text('QEMU stderr') };
}

/** Launches QEMU and returns when it exits, is stopped or killed. Throws InfraError only if it cannot start. */
export async function runQemu(o: QemuRunOptions): Promise<QemuRunResult> {
  await createNvdimmFiles(o.spec);
  const qemu = o.spec.qemu ?? 'qemu-system-x86_64';
  const args = qemuArgs(o.spec);
  const started = Date.now();
  const ctl = new AbortController();
  const g = newProgress();
  let killed: KillReason | null = null;
  let stopped: StopReason | null = null;
  let note: string | null = null;
  const end = (why: KillReason | StopReason): void => {
    if (killed || stopped) return;
    const now = Date.now();
    if (isStop(why)) [stopped, note] = [why, describeStop(why, g, now)];
    else [killed, note] = [why, describeKill(why, g, o, now - started, now)];
    ctl.abort();
  };
  const onExternalAbort = (): void => end('cancelled');
  o.signal?.addEventListener('abort', onExternalAbort, { once: true });
  const sink = consoleSink(o, (line) => {
    o.onLine?.(line);
    observeLine(g, line, started, Date.now());
  });
  const timer = setInterval(() => {
    const why = dueEnd(g, o, started, Date.now());
    if (why) end(why);
  }, 250);
  let r;
  try {
    r = await launch(o, qemu, args, ctl.signal, sink.onOutput);
  } finally {
    clearInterval(timer);
    o.signal?.removeEventListener('abort', onExternalAbort);
    sink.end();
    // After QEMU is gone, so the note cannot interleave with console output still streaming in.
    await sink.log.finish(note ? `\n[daxbot] guest ${killed ? 'killed' : 'stopped'}: ${note}\n` : '');
  }
  const gone = Date.now();
  return {
    exitCode: r.code,
    console: sink.console(),
    stderr: sink.stderr(),
    killed,
    killNote: killed ? note : null,
    stopped,
    stopNote: stopped ? note : null,
    lastTest: g.lastTest,
    lastTestFinished: g.lastTestFinished,
    initSeen: g.initSeen,
    doneSeen: g.doneSeen,
    testDurations: g.durations,
    bootMs: g.bootMs,
    shutdownMs: g.doneSeen ? gone - g.doneAt : null,
    durationMs: gone - started,
    command: [qemu, ...args],
  };
}
