/**
 * The steps of the run sequence (./sequence.ts) that do not depend on the runner: a fresh
 * result, the series applied (or the base checked out) in the build slot, a build failure turned
 * into a result, QEMU booted with the console captured and test progress reported, and the
 * findings symbolized against the build.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { InfraError } from '../errors.ts';
import { parseGuestLine } from '../guest/protocol.ts';
import { runQemu, type QemuRunOptions, type QemuRunResult } from '../qemu/run.ts';
import { applySeries } from '../tree/apply.ts';
import { checkoutSlot } from '../tree/slot.ts';
import type { BuildResult, Finding, RunContext, RunRequest, RunResult } from '../types.ts';

export type Symbolize = (finding: Finding, vmlinux: string, tree: string) => Promise<Finding> | Finding;
export type Progress = NonNullable<RunContext['progress']>;

export function newRunResult(
  runner: string,
  tree: string,
  configHash: string,
  timings: Record<string, number>,
): RunResult {
  return {
    runner,
    tree,
    base: null,
    head: null,
    configHash,
    apply: null,
    build: null,
    booted: false,
    tests: [],
    findings: [],
    failureClass: 'none',
    summary: '',
    consoleLog: null,
    timings,
  };
}

/**
 * Applies the request's series on its base in the slot, or checks the base out for a baseline
 * run. False when the series does not apply: `result` then says which patch and files.
 */
export async function applyInSlot(
  req: RunRequest,
  slot: string,
  result: RunResult,
  progress: Progress,
): Promise<boolean> {
  progress('apply', req.mbox ? `applying ${req.mbox}` : `checking out ${req.base}`);
  const t = Date.now();
  if (!req.mbox) {
    const sha = await checkoutSlot(req.tree, slot, req.base);
    result.base = sha;
    result.head = sha;
    result.timings.applyMs = Date.now() - t;
    return true;
  }
  const apply = await applySeries({
    tree: req.tree,
    worktree: slot,
    base: req.base,
    mbox: req.mbox,
    ...(req.baseReason === undefined ? {} : { baseReason: req.baseReason }),
    ...(req.patchLimit === undefined ? {} : { patchLimit: req.patchLimit }),
    ...(req.baseFound && { baseFound: true }),
  });
  result.apply = apply;
  result.base = apply.base;
  result.head = apply.head;
  result.timings.applyMs = Date.now() - t;
  if (apply.ok) return true;
  const last = apply.attempts[apply.attempts.length - 1];
  result.failureClass = 'patch';
  result.summary = `series does not apply: patch ${last?.failedPatch ?? '?'} (${last?.failedSubject ?? 'unknown'}) conflicts in ${(last?.conflictFiles ?? []).join(', ') || 'unknown files'}`;
  return false;
}

/** A failed build is the series' result when there is a series, the tree's otherwise. */
export function recordBuildFailure(result: RunResult, build: BuildResult, withSeries: boolean): void {
  result.failureClass = withSeries ? 'patch' : 'kernel';
  const e = build.errors[0];
  result.summary = `build failed: ${e ? `${e.file}${e.line ? `:${e.line}` : ''}: ${e.message}` : 'see output'}`;
}

/**
 * Boots the guest with its console streamed into <workDir>/console.log, reports each test as
 * it starts, and records the QEMU timings and command line. A cancelled run is our machinery's.
 */
export async function bootGuest(
  req: RunRequest,
  ctx: RunContext,
  result: RunResult,
  options: Omit<QemuRunOptions, 'logFile' | 'onLine' | 'signal'>,
  qemu: (o: QemuRunOptions) => Promise<QemuRunResult> = runQemu,
): Promise<QemuRunResult> {
  const progress = ctx.progress ?? (() => undefined);
  const consolePath = path.join(req.workDir, 'console.log');
  await writeFile(consolePath, '');
  const t = Date.now();
  const q = await qemu({
    ...options,
    logFile: consolePath,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    onLine: (line) => {
      const m = /DAXBOT: test-start (\S+)/.exec(line);
      if (m?.[1]) progress('test', m[1]);
      noteGuestEnd(result.timings, line, Date.now() - t);
    },
  });
  result.timings.qemuMs = Date.now() - t;
  if (q.killNote)
    ctx.log.warn({ killed: q.killed, lastTest: q.lastTest, console: consolePath }, `guest killed: ${q.killNote}`);
  // A stop is no failure (results complete, or a panicked kernel halted): said, not warned.
  if (q.stopNote) ctx.log.info({ stopped: q.stopped, shutdownMs: q.shutdownMs }, `guest stopped: ${q.stopNote}`);
  if (q.shutdownMs !== null && q.shutdownMs !== undefined) result.timings.shutdownMs = q.shutdownMs;
  if (q.bootMs !== null) {
    result.timings.bootMs = q.bootMs;
    result.timings.suiteMs = q.durationMs - q.bootMs;
  }
  result.qemuCommand = q.command;
  result.consoleLog = consolePath;
  if (q.killed === 'cancelled') throw new InfraError('run cancelled', { tree: req.tree, base: req.base });
  return q;
}

const OOPS_START = /\b(?:BUG: |Oops: |general protection fault|Kernel panic - not syncing)/;

/**
 * Records when the guest's results were complete (its done marker: `guestDoneMs`) and when the
 * kernel first crashed (`crashMs`), in ms from QEMU's launch: what the guest spent after them
 * (the shutdown) is qemuMs minus these.
 */
function noteGuestEnd(timings: Record<string, number>, line: string, sinceLaunch: number): void {
  if (timings.guestDoneMs === undefined && parseGuestLine(line)?.kind === 'done') timings.guestDoneMs = sinceLaunch;
  if (timings.crashMs === undefined && OOPS_START.test(line)) timings.crashMs = sinceLaunch;
}

/**
 * Symbolizes against the build's vmlinux and the slot's source (the paths DWARF names); a failure
 * keeps the raw frames.
 */
export async function symbolizeFindings(
  findings: Finding[],
  symbolize: Symbolize,
  vmlinux: string,
  slot: string,
  log: Logger,
): Promise<Finding[]> {
  const out: Finding[] = [];
  for (const f of findings) {
    if (f.trace.length === 0 && !f.rip) {
      out.push(f);
      continue;
    }
    try {
      out.push(await symbolize(f, vmlinux, slot));
    } catch (err) {
      log.warn({ err }, 'symbolizing failed');
      out.push(f);
    }
  }
  return out;
}
