/**
 * The nfit-sim runner: the kernel's nfit_test simulated NVDIMM bus. It applies the series in the
 * (tree, config) build slot, builds the kernel with the nfit-sim profile and then the nfit_test
 * modules from the same patched tree (so a series touching drivers/nvdimm, drivers/dax,
 * drivers/acpi/nfit or tools/testing/nvdimm is tested with its own simulator code), boots QEMU
 * without emulated NVDIMMs, loads the test modules from the initramfs and runs the built-in
 * simulator suite and, when configured, ndctl's meson suite. It reuses the harness's slot, build,
 * initramfs, QEMU and guest-outcome modules.
 * Patch and kernel failures are results; only machinery failures throw InfraError.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { toMs, type RunnerConfig } from '../../config/schema.ts';
import type { Finding, RunContext, RunRequest, RunResult, Runner, TestResult } from '../types.ts';
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
import type { QemuRunOptions, QemuRunResult } from '../qemu/run.ts';
import { analyzeGuestRun, type Parsers } from '../qemu-pmem/analyze.ts';
import { buildNfitSim, type BuildStep } from './build.ts';
import { nfitGuestFiles } from './guest-files.ts';
import { annotateBrokenDimms, brokenDimmNote, parseGuestSetup, setupTestResults } from './guest-lines.ts';
import { collectNdctlSuite, prepareNdctlSuite } from './ndctl-suite.ts';
import {
  NDCTL_MESON_SUITE,
  NFIT_BROKEN_DIMM_BUS,
  NFIT_SIM_CMDLINE,
  nfitSimProfile,
  NFIT_SIM_SUITE,
  NFIT_TEST_BUSES,
  NFIT_TEST_MODULES,
} from './profile.ts';

export interface NfitSimOptions {
  config: RunnerConfig;
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
  initramfs?: (extra: Awaited<ReturnType<typeof nfitGuestFiles>>) => Promise<string>;
  /** Replaces the ndctl suite's host preparation (tests: no debootstrap, no ndctl build). */
  prepareNdctl?: typeof prepareNdctlSuite;
}

/** Suites the guest runs (the ndctl meson suite is planned on the host). */
export function guestSuites(suites: string[]): string[] {
  return suites.filter((s) => s !== NDCTL_MESON_SUITE);
}

/**
 * Whether a guest running `booted` (its daxbot.suites list) loads the test modules: the built-in
 * suite does, and so does the ndctl suite when it runs alone. Then the module and bus lines are
 * read whichever suite printed them, so a series that breaks module loading is an error with
 * insmod's reason, not a column of ndctl exit-77 skips (pure).
 */
export function loadsTestModules(booted: string[]): boolean {
  return booted.includes(NFIT_SIM_SUITE) || booted.includes(NDCTL_MESON_SUITE);
}

/**
 * Adds the module/bus results to the guest outcome. A module that failed to load is an error of
 * the kernel under test even when the suite itself reported nothing worse (pure).
 */
export function mergeSetup(
  outcome: ReturnType<typeof analyzeGuestRun>,
  setup: TestResult[],
): ReturnType<typeof analyzeGuestRun> {
  // parseKtap pads a short stream with "test N" placeholders from the "1..N" plan; the guest's
  // named plan ("# DAXBOT plan:") already yields the same tests by name, so drop the duplicates.
  const named = outcome.tests.filter(
    (t) => !(t.suite === NFIT_SIM_SUITE && t.status === 'error' && /^test \d+$/.test(t.name)),
  );
  const tests = [...setup, ...named];
  const moduleErrors = setup.filter((t) => t.status === 'error' && t.name.startsWith('module-'));
  if (outcome.failureClass === 'infra' || outcome.findings.length > 0 || moduleErrors.length === 0)
    return { ...outcome, tests };
  const first = moduleErrors[0]?.reason ?? 'a test module failed to load';
  return {
    ...outcome,
    tests,
    failureClass: 'kernel',
    summary: `${first}${moduleErrors.length > 1 ? ` (+${moduleErrors.length - 1} more)` : ''}`,
  };
}

/** The real console and KTAP parsers (runners/parse/), loaded on first use. */
async function defaultParsers(): Promise<Parsers> {
  return (await import('../qemu-pmem/parsers.ts')).defaultParsers;
}

/** The symbolizer when it is available; findings stay unsymbolized (not lost) otherwise. */
async function defaultSymbolizer(ctx: RunContext): Promise<Symbolize> {
  try {
    return (await import('../qemu-pmem/parsers.ts')).defaultSymbolize;
  } catch (err) {
    ctx.log.warn({ err }, 'no symbolizer: findings keep raw frames');
    return (f) => f;
  }
}

export function createNfitSimRunner(opts: NfitSimOptions): Runner {
  const cfg = opts.config;
  return {
    name: cfg.name,
    description:
      "Linux in QEMU (TCG) with the kernel's nfit_test simulated NVDIMM buses, built from the tree under test",
    async run(req: RunRequest, ctx: RunContext): Promise<RunResult> {
      const t0 = Date.now();
      const timings: Record<string, number> = {};
      const progress = ctx.progress ?? (() => undefined);
      const profile = nfitSimProfile(cfg);
      const fragments = await loadFragments(profile.fragments, opts.repoRoot);
      const hash = configHash(fragments);
      const slot = slotDirFor(opts.cacheDir, req.tree, hash);
      const buildDir = buildDirFor(opts.cacheDir, treeSlug(req.tree), hash);
      const suites = req.suites && req.suites.length > 0 ? req.suites : profile.suites;
      await mkdir(req.workDir, { recursive: true });
      const result = newRunResult(cfg.name, req.tree, hash, timings);

      return withSlotLock(slot, async () => {
        if (!(await applyInSlot(req, slot, result, progress))) {
          timings.totalMs = Date.now() - t0;
          return result;
        }

        progress('build', `make O=${buildDir} bzImage modules, then M=tools/testing/nvdimm`);
        let t = Date.now();
        const built = await buildNfitSim(
          {
            source: slot,
            buildDir,
            fragments,
            cacheDir: opts.cacheDir,
            jobs: cfg.jobs,
            log: ctx.log,
            ...(ctx.signal ? { signal: ctx.signal } : {}),
            logFile: path.join(req.workDir, 'build.log'),
          },
          opts.buildStep,
        );
        const build = built.build;
        result.build = build;
        timings.buildMs = build.durationMs;
        timings.buildKernelMs = built.timings.kernelMs;
        timings.buildModulesMs = built.timings.modulesMs;
        if (!build.ok || !build.bzImage) {
          recordBuildFailure(result, build, req.mbox !== undefined);
          timings.totalMs = Date.now() - t0;
          return result;
        }

        const inGuest = guestSuites(suites);
        if (cfg.ndctlSource && suites.includes(NDCTL_MESON_SUITE))
          progress('build', 'ndctl-meson: Debian root filesystem and ndctl build (cached)');
        const prepare = opts.prepareNdctl ?? prepareNdctlSuite;
        const ndctl = await prepare({
          config: cfg,
          suites,
          repoRoot: opts.repoRoot,
          cacheDir: opts.cacheDir,
          workDir: req.workDir,
          kernelBuildDir: buildDir,
          log: ctx.log,
          ...(ctx.signal ? { signal: ctx.signal } : {}),
        });
        const booted = [...inGuest, ...(ndctl.run ? [NDCTL_MESON_SUITE] : [])];
        Object.assign(timings, ndctl.timings);

        t = Date.now();
        const extra = [
          ...(await nfitGuestFiles(opts.repoRoot, built.modules, path.join(req.workDir, 'guest'))),
          ...ndctl.guestFiles,
        ];
        const initrd = opts.initramfs
          ? await opts.initramfs(extra)
          : await daxInitramfs(opts.repoRoot, opts.cacheDir, extra);
        timings.initramfsMs = Date.now() - t;

        progress('boot', `qemu ${cfg.memoryMiB} MiB, nfit_test buses`);
        const limits = {
          bootTimeoutMs: toMs(cfg.bootTimeout),
          testTimeoutMs: toMs(cfg.testTimeout),
          overallTimeoutMs: toMs(cfg.overallTimeout),
        };
        const q = await bootGuest(
          req,
          ctx,
          result,
          {
            spec: {
              kernel: build.bzImage,
              initrd,
              append: [
                `daxbot.suites=${booted.join(',')}`,
                ...NFIT_SIM_CMDLINE,
                ...ndctl.append,
                ...(opts.extraKernelArgs ?? []),
              ],
              memoryMiB: cfg.memoryMiB,
              cpus: cfg.cpus,
              // nfit_test provides its own (simulated) NFIT; an emulated one would add a third bus.
              nvdimms: [],
              extra: ndctl.qemuExtra,
            },
            readOnly: ndctl.readOnly,
            readWrite: ndctl.readWrite,
            ...limits,
          },
          opts.qemu,
        );

        const parsers: Parsers = opts.parsers ?? (await defaultParsers());
        const outcome = analyzeGuestRun(q, inGuest, parsers, limits);
        const guestSetup = parseGuestSetup(q.console);
        const setup = loadsTestModules(booted)
          ? setupTestResults(
              guestSetup,
              built.modules.map((m) => m.name),
              NFIT_TEST_BUSES,
            )
          : [];
        const merged = await collectNdctlSuite(ndctl, q.console, q, mergeSetup(outcome, setup));
        result.tests = annotateBrokenDimms(merged.tests, brokenDimmNote(guestSetup.dimms, NFIT_BROKEN_DIMM_BUS));
        result.booted = merged.booted;
        result.failureClass = merged.failureClass;
        result.summary = merged.summary;

        t = Date.now();
        const symbolize = opts.symbolize ?? (opts.parsers ? (f: Finding) => f : await defaultSymbolizer(ctx));
        result.findings = await symbolizeFindings(merged.findings, symbolize, build.vmlinux ?? '', slot, ctx.log);
        timings.symbolizeMs = Date.now() - t;
        timings.totalMs = Date.now() - t0;
        return result;
      });
    },
  };
}

/** The module names the guest is expected to load, for callers that plan without a build. */
export const EXPECTED_MODULES = NFIT_TEST_MODULES.filter((m) => !m.optional).map((m) => m.name);
