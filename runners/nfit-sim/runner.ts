/**
 * The nfit-sim runner on the core sequence (runners/core/sequence.ts): the kernel's nfit_test
 * simulated NVDIMM buses. What it adds to the sequence: the build makes the nfit_test modules
 * from the same patched tree after the kernel (`make M=tools/testing/nvdimm`, so a series
 * touching drivers/nvdimm, drivers/dax, drivers/acpi/nfit or tools/testing/nvdimm is tested with
 * its own simulator code); the host prepares ndctl's meson suite when configured; the guest gets
 * the modules, their loader and the simulator suite, boots without emulated NVDIMMs and panics
 * on the first oops; its results add the module/bus checks and the ndctl suite's tests.
 * Patch and kernel failures are results; only machinery failures throw InfraError.
 */
import path from 'node:path';
import type { GuestOutcome } from '../core/analyze.ts';
import {
  createKernelRunner,
  type GuestPlan,
  type KernelRunDeps,
  type KernelRunSteps,
  type RunInfo,
} from '../core/sequence.ts';
import type { Runner, TestResult } from '../types.ts';
import type { QemuRunResult } from '../qemu/run.ts';
import { buildNfitSim, simulatorBuildOutput, type NfitSimBuild } from './build.ts';
import { nfitGuestFiles } from './guest-files.ts';
import { annotateBrokenDimms, brokenDimmNote, parseGuestSetup, setupTestResults } from './guest-lines.ts';
import { collectNdctlSuite, prepareNdctlSuite, prepareOptionsOf, type NdctlSuitePrep } from './ndctl-suite.ts';
import {
  NDCTL_MESON_SUITE,
  NFIT_BROKEN_DIMM_BUS,
  NFIT_SIM_CMDLINE,
  nfitSimProfile,
  NFIT_SIM_SUITE,
  NFIT_TEST_BUSES,
  NFIT_TEST_MAKE_DIR,
  NFIT_TEST_MODULES,
} from './profile.ts';
import type { NfitSimConfig } from './schema.ts';

export interface NfitSimOptions extends KernelRunDeps {
  config: NfitSimConfig;
  /** Replaces the ndctl suite's host preparation (tests: no debootstrap, no ndctl build). */
  prepareNdctl?: typeof prepareNdctlSuite;
}

export const NFIT_SIM_DESCRIPTION =
  "Linux in QEMU (TCG) with the kernel's nfit_test simulated NVDIMM buses, built from the tree under test";

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
export function mergeSetup(outcome: GuestOutcome, setup: TestResult[]): GuestOutcome {
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

/** What one run's steps hand each other. */
interface RunState {
  built: NfitSimBuild | null;
  ndctl: NdctlSuitePrep | null;
}

/** The suites the guest boots with: its own, then the ndctl suite when the host prepared it. */
function bootedSuites(run: RunInfo, state: RunState): string[] {
  return [...guestSuites(run.suites), ...(state.ndctl?.run ? [NDCTL_MESON_SUITE] : [])];
}

async function prepareHost(opts: NfitSimOptions, run: RunInfo, state: RunState): Promise<Record<string, number>> {
  const cfg = opts.config;
  if (cfg.ndctlSource && run.suites.includes(NDCTL_MESON_SUITE))
    run.progress('build', 'ndctl-meson: Debian root filesystem and ndctl build (cached)');
  const prepare = opts.prepareNdctl ?? prepareNdctlSuite;
  state.ndctl = await prepare(prepareOptionsOf(cfg, opts.repoRoot, opts.cacheDir, run));
  return state.ndctl.timings;
}

async function guestPlan(opts: NfitSimOptions, run: RunInfo, state: RunState): Promise<GuestPlan> {
  const ndctl = state.ndctl;
  const modules = state.built?.modules ?? [];
  return {
    suites: bootedSuites(run, state),
    ktapSuites: guestSuites(run.suites),
    files: [
      ...(await nfitGuestFiles(opts.repoRoot, modules, path.join(run.req.workDir, 'guest'))),
      ...(ndctl?.guestFiles ?? []),
    ],
    append: [...NFIT_SIM_CMDLINE, ...(ndctl?.append ?? [])],
    // nfit_test provides its own (simulated) NFIT; an emulated one would add a third bus.
    nvdimms: [],
    qemuExtra: ndctl?.qemuExtra ?? [],
    readOnly: ndctl?.readOnly ?? [],
    readWrite: ndctl?.readWrite ?? [],
    devices: 'nfit_test buses',
  };
}

/** The module/bus checks, the ndctl suite's tests and the broken-DIMM note, added to the outcome. */
async function readResults(
  run: RunInfo,
  state: RunState,
  outcome: GuestOutcome,
  q: QemuRunResult,
): Promise<GuestOutcome> {
  const guestSetup = parseGuestSetup(q.console);
  const setup = loadsTestModules(bootedSuites(run, state))
    ? setupTestResults(
        guestSetup,
        (state.built?.modules ?? []).map((m) => m.name),
        NFIT_TEST_BUSES,
      )
    : [];
  const ndctl = state.ndctl ?? { run: false, hostResults: [], resultsDisk: null };
  const merged = await collectNdctlSuite(ndctl, q.console, q, mergeSetup(outcome, setup));
  return {
    ...merged,
    tests: annotateBrokenDimms(merged.tests, brokenDimmNote(guestSetup.dimms, NFIT_BROKEN_DIMM_BUS)),
  };
}

function steps(opts: NfitSimOptions, run: RunInfo): KernelRunSteps {
  const state: RunState = { built: null, ndctl: null };
  return {
    build: {
      note: `make O=${run.buildDir} bzImage modules, then M=${NFIT_TEST_MAKE_DIR}`,
      run: async (options, step) => {
        state.built = await buildNfitSim(options, step);
        return simulatorBuildOutput(state.built);
      },
    },
    prepare: () => prepareHost(opts, run, state),
    guest: () => guestPlan(opts, run, state),
    results: (outcome, q) => readResults(run, state, outcome, q),
  };
}

export function createNfitSimRunner(opts: NfitSimOptions): Runner {
  const profile = nfitSimProfile(opts.config);
  return createKernelRunner(
    {
      config: opts.config,
      description: NFIT_SIM_DESCRIPTION,
      fragments: profile.fragments,
      suites: profile.suites,
      start: (run) => steps(opts, run),
    },
    opts,
  );
}

/** The module names the guest is expected to load, for callers that plan without a build. */
export const EXPECTED_MODULES = NFIT_TEST_MODULES.filter((m) => !m.optional).map((m) => m.name);
