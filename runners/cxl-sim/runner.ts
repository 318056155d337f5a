/**
 * The cxl-sim runner on the core sequence (runners/core/sequence.ts): the kernel's cxl_test
 * simulated CXL topology (tools/testing/cxl). What it adds to the sequence: the build applies the
 * simulator fixups, then makes the cxl_test modules from the same patched tree after the kernel
 * (so a series touching drivers/cxl or tools/testing/cxl is tested with its own simulator code);
 * the host prepares ndctl's cxl meson suite when configured; the guest boots two NUMA nodes with
 * no emulated devices, loads the modules from the initramfs and runs the smoke suite (topology, a
 * region created and torn down); its results add the module and topology checks and the meson
 * suite's tests. Patch and kernel failures are results; only machinery failures throw InfraError.
 */
import path from 'node:path';
import { toMs } from '../../config/duration.ts';
import type { GuestOutcome } from '../core/analyze.ts';
import {
  createKernelRunner,
  type GuestPlan,
  type KernelRunDeps,
  type KernelRunSteps,
  type RunInfo,
} from '../core/sequence.ts';
import { simulatorBuildOutput, type NfitSimBuild } from '../nfit-sim/build.ts';
import { prepareOptionsOf, type prepareNdctlSuite } from '../nfit-sim/ndctl-suite.ts';
import type { QemuRunResult } from '../qemu/run.ts';
import type { Runner } from '../types.ts';
import { buildCxlSim } from './build.ts';
import { applyFixups, listFixups } from './fixups.ts';
import { CXL_GUEST_BINARIES, cxlGuestFiles } from './guest-files.ts';
import { collectCxlMeson, cxlGuestSuites, prepareCxlMeson, type CxlMesonPrep } from './meson.ts';
import { cxlOutcome } from './outcome.ts';
import { CXL_MESON_SUITE, CXL_SIM_CMDLINE, cxlSimProfile, CXL_SIM_SUITE, numaArgs } from './profile.ts';
import type { CxlSimConfig } from './schema.ts';

export interface CxlSimOptions extends KernelRunDeps {
  config: CxlSimConfig;
  /** Replaces the ndctl suite's host preparation (tests: no debootstrap, no ndctl build). */
  prepareNdctl?: typeof prepareNdctlSuite;
}

export const CXL_SIM_DESCRIPTION =
  "Linux in QEMU (TCG) with the kernel's cxl_test simulated CXL topology, built from the tree under test";

/** What one run's steps hand each other. */
interface RunState {
  built: NfitSimBuild | null;
  meson: CxlMesonPrep | null;
}

async function prepareHost(opts: CxlSimOptions, run: RunInfo, state: RunState): Promise<Record<string, number>> {
  if (opts.config.ndctlSource && run.suites.includes(CXL_MESON_SUITE))
    run.progress('build', 'cxl-meson: Debian root filesystem and ndctl build (cached)');
  state.meson = await prepareCxlMeson(
    prepareOptionsOf(opts.config, opts.repoRoot, opts.cacheDir, run),
    opts.prepareNdctl,
  );
  return state.meson.timings;
}

async function guestPlan(opts: CxlSimOptions, run: RunInfo, state: RunState): Promise<GuestPlan> {
  const cfg = opts.config;
  const meson = state.meson;
  const modules = state.built?.modules ?? [];
  return {
    suites: cxlGuestSuites(run.suites, meson?.run ?? false),
    ktapSuites: cxlGuestSuites(run.suites, false),
    files: [
      ...(await cxlGuestFiles(opts.repoRoot, modules, path.join(run.req.workDir, 'guest'))),
      ...(meson?.guestFiles ?? []),
    ],
    append: [
      `daxbot.test_timeout=${Math.round(toMs(cfg.testTimeout) / 1000)}`,
      ...CXL_SIM_CMDLINE,
      ...(meson?.append ?? []),
    ],
    nvdimms: [],
    qemuExtra: [...numaArgs(cfg.memoryMiB, cfg.cpus), ...(meson?.qemuExtra ?? [])],
    readOnly: meson?.readOnly ?? [],
    readWrite: meson?.readWrite ?? [],
    devices: 'cxl_test topology',
    binaries: CXL_GUEST_BINARIES,
  };
}

/** The module and topology checks and the meson suite's tests, added to the outcome. */
function readResults(run: RunInfo, state: RunState, outcome: GuestOutcome, q: QemuRunResult): GuestOutcome {
  const meson = state.meson ?? { run: false, hostResults: [] };
  // Whoever loaded the modules (the smoke suite, or cxl-meson.sh when it runs alone) printed their lines.
  const loaded = run.suites.includes(CXL_SIM_SUITE) || meson.run;
  const expected = loaded ? (state.built?.modules ?? []).map((m) => m.name) : [];
  return collectCxlMeson(meson, q.console, q, cxlOutcome(outcome, q.console, expected));
}

function steps(opts: CxlSimOptions, run: RunInfo): KernelRunSteps {
  const state: RunState = { built: null, meson: null };
  return {
    build: {
      note: `make O=${run.buildDir} bzImage modules, then M=tools/testing/cxl`,
      run: async (options, step) => {
        const fixups = await applyFixups(run.slot, await listFixups(opts.repoRoot));
        if (fixups.length > 0) run.ctx.log.info({ fixups }, 'applied cxl-sim fixups to the simulator code');
        state.built = await buildCxlSim(options, step);
        return simulatorBuildOutput(state.built);
      },
    },
    prepare: () => prepareHost(opts, run, state),
    guest: () => guestPlan(opts, run, state),
    results: (outcome, q) => readResults(run, state, outcome, q),
  };
}

export function createCxlSimRunner(opts: CxlSimOptions): Runner {
  const profile = cxlSimProfile(opts.config);
  return createKernelRunner(
    {
      config: opts.config,
      description: CXL_SIM_DESCRIPTION,
      fragments: profile.fragments,
      suites: profile.suites,
      start: (run) => steps(opts, run),
    },
    opts,
  );
}
