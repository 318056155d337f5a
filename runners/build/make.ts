/**
 * Builds a kernel: config from fragments (merge_config.sh onto tinyconfig, then olddefconfig),
 * then `make O=<buildDir>` with ccache, inside the sandbox and under the machine-wide build lock.
 * The build folder is kept per (tree, config, trust level) so a rebuild only recompiles what
 * changed; a series build never writes what a base build reads (./trust.ts), and every build runs
 * under resource limits (./limits.ts).
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import type { BuildDiagnostic, BuildResult } from '../types.ts';
import { runSandboxed, type SandboxSpec } from '../sandbox/bwrap.ts';
import { execCommand, type Exec, type ExecResult } from '../sandbox/exec.ts';
import { InfraError } from '../errors.ts';
import { checkWantedSymbols, configHash, KCONFIG_BASE, treeDefines, type Fragment } from './kconfig.ts';
import { parseBuildLog } from '../parse/build-log.ts';
import { failureExcerpt } from './diagnostics.ts';
import { ccacheDirs, type BuildTrust } from './trust.ts';
import {
  BUILD_UID,
  DEFAULT_BUILD_LIMITS,
  dropsPrivileges,
  giveToBuildUser,
  limitDiagnostic,
  limitedCommand,
  limitInOutput,
  watchDisk,
  type BuildLimits,
  type LimitKind,
} from './limits.ts';
import { openPidsCgroup } from './pids-cgroup.ts';
import { watchProcesses } from './process-watch.ts';
import { allWarnings, nextWarningState, readWarningState, writeWarningState } from './warning-state.ts';

/** Kernel builds take both cores: only one at a time on the machine, across processes. */
export const KERNEL_BUILD_LOCK = '/tmp/daxbot-kernel-build.lock';

export interface KernelBuildOptions {
  /** The kernel source folder (the build slot's worktree). */
  source: string;
  /** O= folder; see buildDirFor(). */
  buildDir: string;
  /**
   * The path the build folder has inside the sandbox, when not its own: a series folder is
   * mounted at its base folder's path, so the copy's absolute paths (tools/objtool, M= folders,
   * ccache's hashed working directory, debug info) are those it was built with.
   */
  mountAs?: string;
  fragments: Fragment[];
  /** Holds ccache/, ccache-series/ and ccache-view/ (./trust.ts). */
  cacheDir: string;
  /** `base` (default) or `series`: which ccache it writes and reads (./trust.ts). */
  trust?: BuildTrust;
  /** Resource limits; DEFAULT_BUILD_LIMITS when absent. */
  limits?: BuildLimits;
  /** make -j; 0 or absent = number of cores. */
  jobs?: number;
  /** Default ["bzImage"]. The nfit-sim runner adds "modules". */
  targets?: string[];
  /** Extra make variables, e.g. ["M=tools/testing/nvdimm"]. */
  makeArgs?: string[];
  timeoutMs?: number;
  log: Logger;
  signal?: AbortSignal;
  onOutput?: (chunk: string) => void;
  /** Append make's output here. */
  logFile?: string;
  exec?: Exec;
  lockFile?: string;
}

/**
 * `<cacheDir>/build/<treeName>-<configHash>` for base builds, with `-series` after it for series
 * builds: one build folder per tree, config and trust level.
 */
export function buildDirFor(cacheDir: string, treeName: string, hash: string, trust: BuildTrust = 'base'): string {
  return path.join(cacheDir, 'build', `${treeName}-${hash}${trust === 'series' ? '-series' : ''}`);
}

/**
 * The ccache of a trust level: base writes the base cache; series writes its own and reads the
 * base cache's entries through the read-only view.
 */
function ccacheEnv(cacheDir: string, trust: BuildTrust, buildDir: string): Record<string, string> {
  const dirs = ccacheDirs(cacheDir, buildDir);
  if (trust === 'base') return { CCACHE_DIR: dirs.base };
  return { CCACHE_DIR: dirs.series, CCACHE_REMOTE_STORAGE: `file:${dirs.view}|read-only` };
}

/** The environment of every kernel make (also used by the harness bench for its raw make). */
export function makeEnv(cacheDir: string, trust: BuildTrust = 'base', buildDir = ''): Record<string, string> {
  return {
    ...ccacheEnv(cacheDir, trust, buildDir),
    // Fixed build identity: version strings do not change between identical builds, so ccache hits.
    KBUILD_BUILD_USER: 'daxbot',
    KBUILD_BUILD_HOST: 'daxbot',
    KBUILD_BUILD_TIMESTAMP: 'Thu Jan  1 00:00:00 UTC 2026',
    // Set (even empty), it stops setlocalversion from asking git for a "+" suffix: the sandbox
    // cannot see the worktree's repository, so the release string would flip between a build
    // inside and one outside, and each flip relinks the kernel.
    LOCALVERSION: '',
  };
}

/**
 * Where make runs: the source read-only, the build folder and its level's ccache writable; a
 * series build sees the base cache and its view read-only; nothing else.
 */
export function sandboxFor(
  o: Pick<KernelBuildOptions, 'source' | 'buildDir' | 'cacheDir' | 'trust' | 'mountAs'>,
): SandboxSpec & { readOnly: string[]; readWrite: string[]; env: Record<string, string>; cwd: string } {
  const trust = o.trust ?? 'base';
  const dirs = ccacheDirs(o.cacheDir, o.buildDir);
  const inside = insideDir(o);
  return {
    readOnly: trust === 'base' ? [o.source] : [o.source, dirs.base, dirs.view],
    readWrite: inside === o.buildDir ? [o.buildDir, trust === 'base' ? dirs.base : dirs.series] : [dirs.series],
    ...(inside !== o.buildDir && { bindAs: [[o.buildDir, inside]] }),
    env: makeEnv(o.cacheDir, trust, o.buildDir),
    cwd: inside,
  };
}

/** The build folder's path as make sees it. */
function insideDir(o: Pick<KernelBuildOptions, 'buildDir' | 'mountAs'>): string {
  return o.mountAs ?? o.buildDir;
}

/** A command-line word with the build folder's host path made its path inside the sandbox. */
function inside(o: Pick<KernelBuildOptions, 'buildDir' | 'mountAs'>, word: string): string {
  return o.mountAs ? word.split(o.buildDir).join(o.mountAs) : word;
}

/** The folders a build writes, made and given to the build user (./limits.ts). */
async function prepareFolders(o: KernelBuildOptions): Promise<void> {
  const dirs = ccacheDirs(o.cacheDir, o.buildDir);
  const ccache = (o.trust ?? 'base') === 'base' ? dirs.base : dirs.series;
  await mkdir(o.buildDir, { recursive: true });
  await mkdir(ccache, { recursive: true });
  await mkdir(dirs.view, { recursive: true });
  // A host operation, not the build: never through the injected exec.
  await giveToBuildUser([o.buildDir, ccache]);
}

function checkRan(r: ExecResult, what: string): void {
  if (r.code === 127 || (r.code !== 0 && /bwrap:|flock:|setpriv:|prlimit:/.test(r.output.split('\n')[0] ?? ''))) {
    throw new InfraError(`${what}: sandbox failed to start`, { output: r.output.slice(-2000) });
  }
}

/**
 * Writes <buildDir>/.config from the fragments when the build folder has none for this hash.
 * Returns the diagnostics for wanted symbols that did not end up set (config errors).
 */
export async function prepareConfig(
  o: KernelBuildOptions,
): Promise<{ ok: boolean; errors: BuildDiagnostic[]; output: string; lockWaitMs: number }> {
  const hash = configHash(o.fragments);
  const stamp = path.join(o.buildDir, '.daxbot-config-hash');
  await prepareFolders(o);
  let output = '';
  let lockWaitMs = 0;
  const current = existsSync(stamp) ? (await readFile(stamp, 'utf8')).trim() : '';
  if (current !== hash || !existsSync(path.join(o.buildDir, '.config'))) {
    const fragDir = path.join(o.buildDir, 'daxbot-fragments');
    await mkdir(fragDir, { recursive: true });
    const fragPaths: string[] = [];
    for (const [i, f] of o.fragments.entries()) {
      const p = path.join(fragDir, `${String(i).padStart(2, '0')}-${f.name}.config`);
      await writeFile(p, f.text);
      fragPaths.push(p);
    }
    const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
    const script = [
      'set -e',
      `make -s -C ${q(o.source)} O=${q(o.buildDir)} ${KCONFIG_BASE}`,
      `${q(path.join(o.source, 'scripts/kconfig/merge_config.sh'))} -m -O ${q(o.buildDir)} ${q(path.join(o.buildDir, '.config'))} ${fragPaths.map(q).join(' ')}`,
      `make -s -C ${q(o.source)} O=${q(o.buildDir)} olddefconfig`,
    ].join('\n');
    const sh = limitedCommand(o.limits ?? DEFAULT_BUILD_LIMITS, 'sh', ['-c', script]);
    const r = await runSandboxed(
      sandboxFor(o),
      sh.cmd,
      sh.args.map((a) => inside(o, a)),
      {
        exec: o.exec,
        lockFile: o.lockFile ?? KERNEL_BUILD_LOCK,
        signal: o.signal,
        // Running out of time here is our machinery's problem, never the patch's (see below).
        timeoutMs: 10 * 60_000,
        logFile: o.logFile,
      },
    );
    checkRan(r, 'kernel config');
    if (r.aborted) throw new InfraError('kernel config cancelled', { buildDir: o.buildDir });
    if (r.timedOut)
      throw new InfraError('kernel config timed out (including the wait for the build lock)', { buildDir: o.buildDir });
    output = r.output;
    lockWaitMs = r.lockWaitMs ?? 0;
    if (r.code !== 0) {
      return {
        ok: false,
        output,
        lockWaitMs,
        errors: [
          {
            file: '.config',
            line: 0,
            severity: 'error',
            message: `config generation failed: ${failureExcerpt(r.output, 10)}`,
          },
        ],
      };
    }
    await writeFile(stamp, `${hash}\n`);
  }
  const final = await readFile(path.join(o.buildDir, '.config'), 'utf8');
  const mismatches = checkWantedSymbols(o.fragments, final);
  // A symbol this tree does not define at all is not wanted here (a fragment shared by trees).
  const defined = await treeDefines(
    o.source,
    mismatches.map((m) => m.symbol),
  );
  const errors: BuildDiagnostic[] = mismatches
    .filter((m) => defined.has(m.symbol))
    .map((m) => ({
      file: '.config',
      line: 0,
      severity: 'error',
      message: `CONFIG_${m.symbol} wanted ${m.wanted ?? 'unset'} but is ${m.actual ?? 'unset'} after olddefconfig`,
    }));
  return { ok: errors.length === 0, errors, output, lockWaitMs };
}

let hostCompiler: Promise<string | undefined> | undefined;

/**
 * The compiler and linker as the sandbox sees them (first lines of `gcc --version` and
 * `ld --version`, joined), or undefined when they cannot be asked. Cheap (no build lock); asked
 * once per process unless a test passes its own exec.
 */
export function compilerVersion(o: Pick<KernelBuildOptions, 'exec'> = {}): Promise<string | undefined> {
  const ask = async (): Promise<string | undefined> => {
    const script = 'gcc --version | head -n 1; ld --version | head -n 1';
    // The build's sandbox without its folders: the same system the compiler comes from.
    const r = await runSandboxed({ cwd: '/' }, 'sh', ['-c', script], {
      exec: o.exec,
      timeoutMs: 30_000,
    });
    const lines = r.code === 0 ? r.stdout.split('\n').map((l) => l.trim()) : [];
    return lines.filter(Boolean).join(', ') || undefined;
  };
  if (o.exec) return ask();
  hostCompiler ??= ask().catch(() => undefined);
  return hostCompiler;
}

/** Configures (if needed) and builds. A compile failure is a result (ok=false), not an exception. */
export async function buildKernel(o: KernelBuildOptions): Promise<BuildResult> {
  const started = Date.now();
  const hash = configHash(o.fragments);
  const compiler = await compilerVersion(o).catch(() => undefined);
  const base: BuildResult = {
    ok: false,
    configHash: hash,
    buildDir: o.buildDir,
    durationMs: 0,
    errors: [],
    warnings: [],
    ...(compiler !== undefined && { compiler }),
    trust: o.trust ?? 'base',
  };
  const cfg = await prepareConfig(o);
  if (!cfg.ok)
    return {
      ...base,
      errors: cfg.errors,
      durationMs: Date.now() - started - cfg.lockWaitMs,
      outputExcerpt: cfg.output.slice(-4000),
    };

  // The folder's warning state (see warning-state.ts). A folder that has objects but no complete
  // state is made complete once: its objects are removed so make recompiles every unit from
  // ccache, which replays each unit's warnings.
  const prevWarnings = await readWarningState(o.buildDir);
  const compiledBefore = existsSync(path.join(o.buildDir, 'init', 'main.o'));
  if (compiledBefore && !prevWarnings?.complete) {
    o.log.info(
      { buildDir: o.buildDir },
      'no complete warning record for this build folder: recompiling every unit once (from ccache)',
    );
    await (o.exec ?? execCommand)('find', [o.buildDir, '-name', '*.o', '-type', 'f', '-delete']);
  }
  const full = !compiledBefore || !prevWarnings?.complete;

  const jobs = o.jobs && o.jobs > 0 ? o.jobs : os.availableParallelism();
  const args = [
    '-C',
    o.source,
    `O=${o.buildDir}`,
    `-j${jobs}`,
    'CC=ccache gcc',
    ...(o.makeArgs ?? []),
    ...(o.targets ?? ['bzImage']),
  ];
  o.log.info({ buildDir: o.buildDir, jobs, trust: o.trust ?? 'base' }, 'make');
  const { r, limit } = await limitedMake(o, args);
  const diags = parseBuildLog(r.output, [o.source, insideDir(o)]);
  const bzImage = path.join(o.buildDir, 'arch/x86/boot/bzImage');
  const vmlinux = path.join(o.buildDir, 'vmlinux');
  const ok = r.code === 0 && existsSync(bzImage);
  // Waiting for the machine-wide build lock is not build time.
  const lockWaitMs = (r.lockWaitMs ?? 0) + cfg.lockWaitMs;
  const state = nextWarningState(prevWarnings, r.output, diags.warnings, full);
  // Only a successful build's state is kept: a failed one may have stopped before units it
  // would have recompiled, and the next build recompiles them anyway.
  if (r.code === 0) await writeWarningState(o.buildDir, state);
  const limits = o.limits ?? DEFAULT_BUILD_LIMITS;
  const result: BuildResult = {
    ...base,
    ok: ok && limit === null,
    durationMs: Date.now() - started - lockWaitMs,
    // A limit hit blames no file: the one diagnostic says which limit.
    errors: limit ? [limitDiagnostic(limit, limits)] : diags.errors.slice(0, 20),
    warnings: allWarnings(state),
    warningsComplete: state.complete,
  };
  if (limit) result.limitHit = limitDiagnostic(limit, limits).message;
  if (result.ok) {
    result.bzImage = bzImage;
    result.vmlinux = vmlinux;
  } else {
    result.outputExcerpt = failureExcerpt(r.output);
    if (result.errors.length === 0) {
      result.errors.push({ file: '', line: 0, severity: 'error', message: `make exited with ${r.code ?? r.signal}` });
    }
  }
  return result;
}

/**
 * make under the limits: rlimits in the sandbox, the disk watcher outside. A cancel from the
 * caller is still our machinery's (InfraError); a kill by the watcher, or make failing on an
 * rlimit, is the build's failure with the limit named.
 */
async function limitedMake(o: KernelBuildOptions, args: string[]): Promise<{ r: ExecResult; limit: LimitKind | null }> {
  const limits = o.limits ?? DEFAULT_BUILD_LIMITS;
  const stopper = new AbortController();
  const signal = o.signal ? AbortSignal.any([o.signal, stopper.signal]) : stopper.signal;
  const watch = watchDisk(o.buildDir, limits.diskMiB, () => stopper.abort());
  // Real builds only: a test's exec stands in for the sandbox, and its command lines stay plain.
  const cgroup = o.exec ? null : await openPidsCgroup(limits.processes);
  // The cgroup counts every refused fork; sampling /proc for a peak is for machines without one.
  const procs = !cgroup && dropsPrivileges() ? watchProcesses(BUILD_UID) : null;
  // make, then how many processes its pid namespace still holds, counted with shell builtins
  // only (no fork: a fork bomb may have taken every process the build may have).
  const script = `make "$@"; rc=$?; set -- /proc/[0-9]*; echo "${LEFT_MARKER} $#" >&2; exit $rc`;
  const make = limitedCommand(limits, 'sh', ['-c', script, 'sh', ...args.map((a) => inside(o, a))]);
  let r: ExecResult;
  let peak = 0;
  let refused = 0;
  try {
    r = await runSandboxed(sandboxFor(o), make.cmd, make.args, {
      exec: o.exec,
      lockFile: o.lockFile ?? KERNEL_BUILD_LOCK,
      ...(cgroup && { cgroupProcs: cgroup.procs }),
      signal,
      timeoutMs: o.timeoutMs ?? 90 * 60_000,
      logFile: o.logFile,
      onOutput: o.onOutput,
    });
  } finally {
    watch.stop();
    peak = procs?.stop().peak ?? 0;
    refused = (await cgroup?.refused()) ?? 0;
    await cgroup?.close();
  }
  checkRan(r, 'kernel build');
  if (r.aborted && stopper.signal.aborted && !o.signal?.aborted) {
    o.log.warn({ buildDir: o.buildDir, diskMiB: limits.diskMiB }, 'build folder over its disk limit: build killed');
    return { r: { ...r, aborted: false }, limit: 'disk' };
  }
  if (r.aborted) throw new InfraError('kernel build cancelled', { buildDir: o.buildDir });
  if (r.timedOut) throw new InfraError('kernel build timed out', { buildDir: o.buildDir, timeoutMs: o.timeoutMs });
  const { result, left } = takeLeftCount(r);
  // A build that leaves half its process allowance running (background forks that outlive make),
  // or that was seen near the whole allowance while make ran, met the limit even when make itself
  // finished: the limit, or the sandbox's end, is what stopped its forks.
  if (refused > 0 || left >= limits.processes / 2 || peak >= limits.processes * PEAK_SHARE) {
    o.log.warn({ buildDir: o.buildDir, refused, peak, left }, 'build met its process limit');
    return { r: { ...result, code: result.code || 1 }, limit: 'processes' };
  }
  return { r: result, limit: result.code === 0 ? null : limitInOutput(result.output) };
}

const LEFT_MARKER = '@daxbot-processes-left';
/** The share of the process allowance that, seen at once, is the limit met (a -j build uses a few dozen). */
const PEAK_SHARE = 0.9;

/** The process count the make wrapper printed (0 when absent), and the result without its line. */
function takeLeftCount(r: ExecResult): { result: ExecResult; left: number } {
  const re = new RegExp(`^${LEFT_MARKER} (\\d+)\\n?`, 'm');
  const m = re.exec(r.output);
  const strip = (t: string): string => t.replace(re, '');
  // The wrapper's own shell and the sandbox's init are always there.
  const left = m ? Math.max(0, Number(m[1]) - 2) : 0;
  return { result: { ...r, output: strip(r.output) }, left };
}
