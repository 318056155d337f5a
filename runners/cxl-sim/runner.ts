/**
 * The cxl-sim runner: the kernel's cxl_test simulated CXL topology (tools/testing/cxl). It applies
 * the series in the (tree, config) build slot, builds the kernel with the cxl-sim fragments and then
 * the cxl_test modules from the same patched tree (so a series touching drivers/cxl or
 * tools/testing/cxl is tested with its own simulator code), boots QEMU with no emulated devices,
 * loads the modules from the initramfs and runs the smoke suite (topology, a region created and
 * torn down). Patch and kernel failures are results; only machinery failures throw InfraError.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { toMs } from '../../config/duration.ts';
import type { CxlSimConfig } from './schema.ts';
import type { Finding, RunContext, RunRequest, RunResult, Runner } from '../types.ts';
import { buildDirFor } from '../build/make.ts';
import { configHash, loadFragments } from '../build/kconfig.ts';
import {
  applyInSlot,
  bootGuest,
  newRunResult,
  recordBuildFailure,
  symbolizeFindings,
  type Symbolize,
} from '../core/kernel-run.ts';
import { slotDirFor, treeSlug } from '../tree/slot.ts';
import { withSlotLock } from '../tree/slot-lock.ts';
import { daxInitramfs } from '../guest/dax-initramfs.ts';
import type { InitramfsFile } from '../guest/initramfs.ts';
import type { QemuRunOptions, QemuRunResult } from '../qemu/run.ts';
import { analyzeGuestRun, type Parsers } from '../core/analyze.ts';
import type { BuildStep, NfitSimBuild } from '../nfit-sim/build.ts';
import type { prepareNdctlSuite } from '../nfit-sim/ndctl-suite.ts';
import { buildCxlSim } from './build.ts';
import { applyFixups, listFixups } from './fixups.ts';
import { CXL_GUEST_BINARIES, cxlGuestFiles } from './guest-files.ts';
import { collectCxlMeson, cxlGuestSuites, prepareCxlMeson, type CxlMesonPrep } from './meson.ts';
import { cxlOutcome } from './outcome.ts';
import { CXL_MESON_SUITE, CXL_SIM_CMDLINE, cxlSimProfile, CXL_SIM_SUITE, numaArgs } from './profile.ts';

type GuestLimits = Parameters<typeof analyzeGuestRun>[3];

export interface CxlSimOptions {
  config: CxlSimConfig;
  repoRoot: string;
  cacheDir: string;
  /** Extra kernel command line words (test knobs such as "daxbot.hang=NAME"). */
  extraKernelArgs?: string[];
  parsers?: Parsers;
  symbolize?: Symbolize;
  /** Replaces the kernel build step (tests). */
  buildStep?: BuildStep;
  /** Replaces QEMU (tests). */
  qemu?: (o: QemuRunOptions) => Promise<QemuRunResult>;
  /** Replaces the initramfs builder (tests): gets the extra files, returns the image path. */
  initramfs?: (extra: InitramfsFile[]) => Promise<string>;
  /** Replaces the ndctl suite's host preparation (tests: no debootstrap, no ndctl build). */
  prepareNdctl?: typeof prepareNdctlSuite;
}

async function symbolizer(opts: CxlSimOptions, ctx: RunContext): Promise<Symbolize> {
  if (opts.symbolize) return opts.symbolize;
  if (opts.parsers) return (f: Finding) => f;
  try {
    return (await import('../core/parsers.ts')).defaultSymbolize;
  } catch (err) {
    ctx.log.warn({ err }, 'no symbolizer: findings keep raw frames');
    return (f) => f;
  }
}

/** What one run knows once its slot is chosen. */
interface RunState {
  opts: CxlSimOptions;
  req: RunRequest;
  ctx: RunContext;
  slot: string;
  buildDir: string;
  fragments: Awaited<ReturnType<typeof loadFragments>>;
  suites: string[];
  result: RunResult;
  /** ndctl's cxl meson suite, once prepared. */
  meson?: CxlMesonPrep;
}

/** Fixups, kernel and cxl_test build; null (the result says why) when the build failed. */
async function buildStage(s: RunState): Promise<NfitSimBuild | null> {
  const { opts, req, ctx, result } = s;
  const fixups = await applyFixups(s.slot, await listFixups(opts.repoRoot));
  if (fixups.length > 0) ctx.log.info({ fixups }, 'applied cxl-sim fixups to the simulator code');
  ctx.progress?.('build', `make O=${s.buildDir} bzImage modules, then M=tools/testing/cxl`);
  const built = await buildCxlSim(
    {
      source: s.slot,
      buildDir: s.buildDir,
      fragments: s.fragments,
      cacheDir: opts.cacheDir,
      jobs: opts.config.jobs,
      log: ctx.log,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
      logFile: path.join(req.workDir, 'build.log'),
    },
    opts.buildStep,
  );
  result.build = built.build;
  Object.assign(result.timings, {
    buildMs: built.build.durationMs,
    buildKernelMs: built.timings.kernelMs,
    buildModulesMs: built.timings.modulesMs,
  });
  if (built.build.ok && built.build.bzImage) return built;
  recordBuildFailure(result, built.build, req.mbox !== undefined);
  return null;
}

/** ndctl's cxl meson suite's disks and scripts (the cached root filesystem and ndctl build). */
async function mesonStage(s: RunState): Promise<CxlMesonPrep> {
  const { opts, req, ctx, result } = s;
  if (opts.config.ndctlSource && s.suites.includes(CXL_MESON_SUITE))
    ctx.progress?.('build', 'cxl-meson: Debian root filesystem and ndctl build (cached)');
  const meson = await prepareCxlMeson(
    {
      config: opts.config,
      suites: s.suites,
      repoRoot: opts.repoRoot,
      cacheDir: opts.cacheDir,
      workDir: req.workDir,
      kernelBuildDir: s.buildDir,
      log: ctx.log,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    },
    opts.prepareNdctl,
  );
  Object.assign(result.timings, meson.timings);
  return meson;
}

/** The initramfs and the QEMU run with two NUMA nodes and no emulated devices but the meson suite's disks. */
async function bootStage(s: RunState, built: NfitSimBuild, limits: GuestLimits): Promise<QemuRunResult> {
  const { opts, req, ctx, result } = s;
  const cfg = opts.config;
  const meson = await mesonStage(s);
  s.meson = meson;
  const t = Date.now();
  const extra = [
    ...(await cxlGuestFiles(opts.repoRoot, built.modules, path.join(req.workDir, 'guest'))),
    ...meson.guestFiles,
  ];
  const initrd = opts.initramfs
    ? await opts.initramfs(extra)
    : await daxInitramfs(opts.repoRoot, opts.cacheDir, extra, CXL_GUEST_BINARIES);
  result.timings.initramfsMs = Date.now() - t;
  ctx.progress?.('boot', `qemu ${cfg.memoryMiB} MiB, cxl_test topology`);
  const spec = {
    kernel: built.build.bzImage ?? '',
    initrd,
    append: [
      `daxbot.suites=${cxlGuestSuites(s.suites, meson.run).join(',')}`,
      `daxbot.test_timeout=${Math.round(limits.testTimeoutMs / 1000)}`,
      ...CXL_SIM_CMDLINE,
      ...meson.append,
      ...(opts.extraKernelArgs ?? []),
    ],
    memoryMiB: cfg.memoryMiB,
    cpus: cfg.cpus,
    nvdimms: [],
    extra: [...numaArgs(cfg.memoryMiB, cfg.cpus), ...meson.qemuExtra],
  };
  return bootGuest(
    req,
    ctx,
    result,
    { spec, readOnly: meson.readOnly, readWrite: meson.readWrite, ...limits },
    opts.qemu,
  );
}

/** The guest's output into tests, findings and the failure class, findings symbolized. */
async function resultStage(s: RunState, built: NfitSimBuild, q: QemuRunResult, limits: GuestLimits): Promise<void> {
  const { opts, ctx, result } = s;
  const parsers: Parsers = opts.parsers ?? (await import('../core/parsers.ts')).defaultParsers;
  const meson = s.meson ?? { run: false, hostResults: [] };
  // Whoever loaded the modules (the smoke suite, or cxl-meson.sh when it runs alone) printed their lines.
  const loaded = s.suites.includes(CXL_SIM_SUITE) || meson.run;
  const ktap = analyzeGuestRun(q, cxlGuestSuites(s.suites, false), parsers, limits);
  const outcome = collectCxlMeson(
    meson,
    q.console,
    q,
    cxlOutcome(ktap, q.console, loaded ? built.modules.map((m) => m.name) : []),
  );
  result.tests = outcome.tests;
  result.booted = outcome.booted;
  result.failureClass = outcome.failureClass;
  result.summary = outcome.summary;
  Object.assign(result.timings, outcome.timings);
  const t = Date.now();
  const symbolize = await symbolizer(opts, ctx);
  result.findings = await symbolizeFindings(outcome.findings, symbolize, built.build.vmlinux ?? '', s.slot, ctx.log);
  result.timings.symbolizeMs = Date.now() - t;
}

async function runCxlSim(opts: CxlSimOptions, req: RunRequest, ctx: RunContext): Promise<RunResult> {
  const t0 = Date.now();
  const cfg = opts.config;
  const profile = cxlSimProfile(cfg);
  const fragments = await loadFragments(profile.fragments, opts.repoRoot);
  const hash = configHash(fragments);
  await mkdir(req.workDir, { recursive: true });
  const s: RunState = {
    opts,
    req,
    ctx,
    slot: slotDirFor(opts.cacheDir, req.tree, hash),
    buildDir: buildDirFor(opts.cacheDir, treeSlug(req.tree), hash),
    fragments,
    suites: req.suites && req.suites.length > 0 ? req.suites : profile.suites,
    result: newRunResult(cfg.name, req.tree, hash, {}),
  };
  const limits: GuestLimits = {
    bootTimeoutMs: toMs(cfg.bootTimeout),
    testTimeoutMs: toMs(cfg.testTimeout),
    overallTimeoutMs: toMs(cfg.overallTimeout),
  };
  return withSlotLock(s.slot, async () => {
    if (await applyInSlot(req, s.slot, s.result, ctx.progress ?? (() => undefined))) {
      const built = await buildStage(s);
      // A build bisection step (req.buildOnly) asks only whether it builds: nothing is booted.
      if (built && !req.buildOnly) await resultStage(s, built, await bootStage(s, built, limits), limits);
    }
    s.result.timings.totalMs = Date.now() - t0;
    return s.result;
  });
}

export function createCxlSimRunner(opts: CxlSimOptions): Runner {
  return {
    name: opts.config.name,
    description:
      "Linux in QEMU (TCG) with the kernel's cxl_test simulated CXL topology, built from the tree under test",
    run: (req, ctx) => runCxlSim(opts, req, ctx),
  };
}
