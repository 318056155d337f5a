/**
 * THE run sequence of every kernel runner, in the order it runs:
 *
 *   1. apply the series in the (tree, config) build slot, or check the base out (a baseline run);
 *   2. build the kernel with the runner's fragments (plus the runner's build additions);
 *   3. prepare the host (the runner's extra preparation, e.g. a root filesystem and disks);
 *   4. make the initramfs: the DAX guest (init, suites, helpers) plus the runner's guest files;
 *   5. boot QEMU with the runner's devices and kernel command line words, console captured;
 *   6. analyse the guest output (./analyze.ts), then let the runner read its own results;
 *   7. symbolize the findings against the build.
 *
 * A runner gives only what differs, as a KernelRunnerSpec: its config, fragments and suites, and
 * per run a KernelRunSteps (build additions, host preparation, guest plan, result reading). Patch
 * and kernel failures are results; only machinery failures throw InfraError (runners/errors.ts).
 * Everything at the edges (build step, initramfs, QEMU, parsers, symbolizer) can be replaced
 * through KernelRunDeps, so the sequence is tested with fakes and run for real with none.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { toMs } from '../../config/duration.ts';
import { buildDirFor, buildKernel, type KernelBuildOptions } from '../build/make.ts';
import { configHash, loadFragments } from '../build/kconfig.ts';
import { ageRewrittenFiles, copyBuiltTree, forgetBuiltTree, recordBuiltTree, slotHead } from '../build/built-tree.ts';
import {
  dropSeriesFolder,
  prepareSeriesFolder,
  seriesOwner,
  syncCcacheView,
  trustOf,
  type BuildTrust,
} from '../build/trust.ts';
import { daxInitramfs } from '../guest/dax-initramfs.ts';
import type { InitramfsFile } from '../guest/initramfs.ts';
import type { NvdimmSpec } from '../qemu/args.ts';
import type { QemuRunOptions, QemuRunResult } from '../qemu/run.ts';
import { MiB } from '../qemu/console-buffer.ts';
import type { RunnerConfig } from '../schema.ts';
import { withSlotLock } from '../tree/slot-lock.ts';
import { slotDirFor, treeSlug } from '../tree/slot.ts';
import type { BuildResult, Finding, RunContext, RunRequest, RunResult, Runner } from '../types.ts';
import { analyzeGuestRun, type GuestLimits, type GuestOutcome, type Parsers } from './analyze.ts';
import {
  applyInSlot,
  bootGuest,
  newRunResult,
  recordBuildFailure,
  symbolizeFindings,
  type Progress,
  type Symbolize,
} from './kernel-run.ts';

/** One make of the kernel tree (runners/build/make.ts buildKernel, or a fake). */
export type BuildStep = (o: KernelBuildOptions) => Promise<BuildResult>;

/** What a runner's build gives back: the build (ok, errors, images) and its own timings. */
export interface BuildOutput {
  build: BuildResult;
  timings?: Record<string, number>;
}

/** What the guest boots with, beyond the DAX guest every kernel runner shares. */
export interface GuestPlan {
  /** The suites the guest runs, in order (the kernel command line's daxbot.suites=). */
  suites: string[];
  /** Of those, the ones the core reads as KTAP sections; all of them when absent. */
  ktapSuites?: string[];
  /** Files added to the initramfs. */
  files: InitramfsFile[];
  /** Kernel command line words after daxbot.suites= (the request's extra words come last). */
  append: string[];
  /** Emulated NVDIMMs (their backing files are made fresh for the run). */
  nvdimms: NvdimmSpec[];
  /** Further QEMU arguments (e.g. virtio disks) and the host paths they read or write. */
  qemuExtra?: string[];
  readOnly?: string[];
  readWrite?: string[];
  /** The devices in words, for the progress line: "2 NVDIMM(s)", "nfit_test buses". */
  devices: string;
  /** Host binaries copied into the initramfs, when the runner needs others than the DAX guest's. */
  binaries?: string[];
}

/** What a run knows before the runner's own steps start. */
export interface RunInfo {
  req: RunRequest;
  ctx: RunContext;
  progress: Progress;
  /** The suites of this run: the request's, else the runner's. */
  suites: string[];
  slot: string;
  /** The build folder of this run's trust level (runners/build/trust.ts). */
  buildDir: string;
  /** `series` when a series is applied (bisection steps too), else `base`. */
  trust: BuildTrust;
  /** The base level's build folder (a series folder is seeded from it and mounted at its path). */
  baseBuildDir: string;
  /** Every build folder of the slot, one per trust level (see built-tree.ts). */
  siblings: string[];
  repoRoot: string;
  cacheDir: string;
}

/** One run's runner-specific steps; what one step hands the next lives in the closure. */
export interface KernelRunSteps {
  /** Build additions: replaces the one kernel make (bzImage) with the runner's makes. */
  build?: { note: string; run(options: KernelBuildOptions, step: BuildStep): Promise<BuildOutput> };
  /** Extra host preparation after a good build; returns timings to record. */
  prepare?(build: BuildResult): Promise<Record<string, number>>;
  /** The guest: suites, initramfs files, kernel command line words and QEMU devices. */
  guest(build: BuildResult): Promise<GuestPlan>;
  /**
   * Reads the runner's own results (from the console, or from a results disk it gave the guest)
   * into the analysed outcome; the outcome as is when absent.
   */
  results?(outcome: GuestOutcome, q: QemuRunResult): GuestOutcome | Promise<GuestOutcome>;
}

export interface KernelRunnerSpec {
  config: RunnerConfig;
  description: string;
  /** The fragments the kernel is built with and the suites a request without suites runs. */
  fragments: string[];
  suites: string[];
  start(run: RunInfo): KernelRunSteps;
}

/** The process's paths, and replacements for the edges (tests). */
export interface KernelRunDeps {
  repoRoot: string;
  cacheDir: string;
  /** Extra kernel command line words (test knobs such as "daxbot.hang=NAME"). */
  extraKernelArgs?: string[];
  parsers?: Parsers;
  symbolize?: Symbolize;
  buildStep?: BuildStep;
  /** Gets the runner's guest files, returns the initramfs path. */
  initramfs?: (extra: InitramfsFile[]) => Promise<string>;
  qemu?: (o: QemuRunOptions) => Promise<QemuRunResult>;
}

export function createKernelRunner(spec: KernelRunnerSpec, deps: KernelRunDeps): Runner {
  return {
    name: spec.config.name,
    description: spec.description,
    run: (req, ctx) => runKernel(spec, deps, req, ctx),
  };
}

async function runKernel(spec: KernelRunnerSpec, deps: KernelRunDeps, req: RunRequest, ctx: RunContext) {
  const t0 = Date.now();
  const fragments = await loadFragments(spec.fragments, deps.repoRoot);
  const hash = configHash(fragments);
  const trust = trustOf(req);
  const dirOf = (t: BuildTrust): string => buildDirFor(deps.cacheDir, treeSlug(req.tree), hash, t);
  const dirs = { base: dirOf('base'), series: dirOf('series') };
  const run: RunInfo = {
    req,
    ctx,
    progress: ctx.progress ?? (() => undefined),
    suites: req.suites && req.suites.length > 0 ? req.suites : spec.suites,
    slot: slotDirFor(deps.cacheDir, req.tree, hash),
    buildDir: dirs[trust],
    trust,
    baseBuildDir: dirs.base,
    siblings: [dirs.base, dirs.series],
    repoRoot: deps.repoRoot,
    cacheDir: deps.cacheDir,
  };
  await mkdir(req.workDir, { recursive: true });
  const result = newRunResult(spec.config.name, req.tree, hash, {});
  return withSlotLock(run.slot, async (): Promise<RunResult> => {
    // Time spent queued behind other jobs on the slot is not this run's work.
    result.timings.slotWaitMs = Date.now() - t0;
    await sequence(spec, deps, run, { fragments, result });
    result.timings.totalMs = Date.now() - t0;
    return result;
  });
}

async function sequence(
  spec: KernelRunnerSpec,
  deps: KernelRunDeps,
  run: RunInfo,
  o: { fragments: Awaited<ReturnType<typeof loadFragments>>; result: RunResult },
): Promise<void> {
  const { result } = o;
  const real = deps.buildStep === undefined;
  const before = real ? await slotHead(run.slot) : null;
  if (real) await prepareTrustLevel(deps, run);
  if (!(await applyInSlot(run.req, run.slot, result, run.progress))) return;
  if (real) {
    const aged = await ageRewrittenFiles(run.slot, run.buildDir, before, result.base, run.siblings);
    if (aged > 0)
      run.ctx.log.info({ aged, buildDir: run.buildDir }, 'same tree as the last build: files git rewrote aged');
  }
  const steps = spec.start(run);
  const build = await buildStage(spec, deps, run, steps, o.fragments, result);
  if (!build.ok || !build.bzImage) {
    recordBuildFailure(result, build, run.req.mbox !== undefined);
    return;
  }
  // A build bisection step: the answer is whether it builds; nothing is booted.
  if (run.req.buildOnly) {
    result.summary = 'built (build-only step, not booted)';
    return;
  }
  if (steps.prepare) Object.assign(result.timings, await steps.prepare(build));
  let t = Date.now();
  const plan = await steps.guest(build);
  const initrd = deps.initramfs
    ? await deps.initramfs(plan.files)
    : await daxInitramfs(deps.repoRoot, deps.cacheDir, plan.files, ...(plan.binaries ? [plan.binaries] : []));
  result.timings.initramfsMs = Date.now() - t;
  const limits = limitsOf(spec.config);
  const q = await bootStage(spec, deps, run, { plan, kernel: build.bzImage, initrd, limits, result });
  const parsers = deps.parsers ?? (await import('./parsers.ts')).defaultParsers;
  const analysed = analyzeGuestRun(q, plan.ktapSuites ?? plan.suites, parsers, limits);
  const outcome = steps.results ? await steps.results(analysed, q) : analysed;
  result.tests = outcome.tests;
  result.booted = outcome.booted;
  result.failureClass = outcome.failureClass;
  result.summary = outcome.summary;
  Object.assign(result.timings, outcome.timings ?? {});
  t = Date.now();
  const symbolize = await symbolizerFor(deps, run.ctx);
  result.findings = await symbolizeFindings(outcome.findings, symbolize, build.vmlinux ?? '', run.slot, run.ctx.log);
  result.timings.symbolizeMs = Date.now() - t;
}

function limitsOf(cfg: RunnerConfig): GuestLimits {
  return {
    bootTimeoutMs: toMs(cfg.bootTimeout),
    testTimeoutMs: toMs(cfg.testTimeout),
    overallTimeoutMs: toMs(cfg.overallTimeout),
  };
}

async function buildStage(
  spec: KernelRunnerSpec,
  deps: KernelRunDeps,
  run: RunInfo,
  steps: KernelRunSteps,
  fragments: Awaited<ReturnType<typeof loadFragments>>,
  result: RunResult,
): Promise<BuildResult> {
  run.progress('build', steps.build?.note ?? `make O=${run.buildDir}`);
  await forgetBuiltTree(run.buildDir);
  const options: KernelBuildOptions = {
    source: run.slot,
    buildDir: run.buildDir,
    fragments,
    cacheDir: deps.cacheDir,
    trust: run.trust,
    // A series folder is a copy of the base folder: it is built at the base folder's path.
    ...(run.trust === 'series' && { mountAs: run.baseBuildDir }),
    limits: spec.config.buildLimits,
    jobs: spec.config.jobs,
    log: run.ctx.log,
    ...(run.ctx.signal ? { signal: run.ctx.signal } : {}),
    logFile: path.join(run.req.workDir, 'build.log'),
  };
  const step = deps.buildStep ?? buildKernel;
  const t = Date.now();
  const out: BuildOutput = steps.build ? await steps.build.run(options, step) : { build: await step(options) };
  result.build = out.build;
  result.timings.buildMs = out.build.durationMs;
  // buildMs leaves out the wait for the machine-wide build lock; this includes it.
  result.timings.buildWallMs = Date.now() - t;
  if (out.build.ok && !deps.buildStep) await recordBuiltTree(run.slot, run.buildDir);
  // What a series filled up to a limit is not kept: the next series starts from the base again.
  if (run.trust === 'series' && out.build.limitHit) {
    await dropSeriesFolder(deps.cacheDir, run.buildDir);
  }
  Object.assign(result.timings, out.timings ?? {});
  return out.build;
}

/**
 * A series build gets its own folder, kept across the steps of one series and made afresh from
 * the base folder for another, and the view of the base ccache it reads. Base builds need none.
 */
async function prepareTrustLevel(deps: KernelRunDeps, run: RunInfo): Promise<void> {
  if (run.trust === 'base' || !run.req.mbox) return;
  const t = Date.now();
  const baseDir = run.baseBuildDir;
  const owner = await seriesOwner(run.req.mbox);
  const how = await prepareSeriesFolder({ cacheDir: deps.cacheDir, baseDir, seriesDir: run.buildDir, owner });
  if (how !== 'kept') await copyBuiltTree(baseDir, run.buildDir);
  const linked = await syncCcacheView(deps.cacheDir);
  run.ctx.log.info({ buildDir: run.buildDir, how, linked, ms: Date.now() - t }, 'series build folder');
}

async function bootStage(
  spec: KernelRunnerSpec,
  deps: KernelRunDeps,
  run: RunInfo,
  b: { plan: GuestPlan; kernel: string; initrd: string; limits: GuestLimits; result: RunResult },
): Promise<QemuRunResult> {
  const { plan, limits } = b;
  run.progress('boot', `qemu ${spec.config.memoryMiB} MiB, ${plan.devices}`);
  const options: Omit<QemuRunOptions, 'logFile' | 'onLine' | 'signal'> = {
    spec: {
      kernel: b.kernel,
      initrd: b.initrd,
      append: [`daxbot.suites=${plan.suites.join(',')}`, ...plan.append, ...(deps.extraKernelArgs ?? [])],
      memoryMiB: spec.config.memoryMiB,
      cpus: spec.config.cpus,
      nvdimms: plan.nvdimms,
      ...(plan.qemuExtra ? { extra: plan.qemuExtra } : {}),
    },
    ...(plan.readOnly ? { readOnly: plan.readOnly } : {}),
    ...(plan.readWrite ? { readWrite: plan.readWrite } : {}),
    ...limits,
    consoleLimits: { head: spec.config.consoleKeepMiB * MiB, tail: spec.config.consoleKeepMiB * MiB },
  };
  return bootGuest(run.req, run.ctx, b.result, options, deps.qemu);
}

/**
 * The injected symbolizer; none when fake parsers were injected (their findings name no real
 * vmlinux); else the real one, and raw frames (not lost findings) if it cannot be loaded.
 */
async function symbolizerFor(deps: KernelRunDeps, ctx: RunContext): Promise<Symbolize> {
  if (deps.symbolize) return deps.symbolize;
  if (deps.parsers) return (f: Finding) => f;
  try {
    return (await import('./parsers.ts')).defaultSymbolize;
  } catch (err) {
    ctx.log.warn({ err }, 'no symbolizer: findings keep raw frames');
    return (f) => f;
  }
}
