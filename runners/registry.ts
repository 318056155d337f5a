/**
 * Runner modules by kind. A module turns a RunnerConfig (config/schema.ts) plus the process's
 * paths into a Runner. Other kinds register here with registerRunner (e.g. "nfit-sim").
 */
import type { RunnerConfig } from '../config/schema.ts';
import type { Runner } from './types.ts';
import { createQemuPmemRunner } from './qemu-pmem/runner.ts';
import { nfitSimProfile } from './nfit-sim/profile.ts';
import { createNfitSimRunner } from './nfit-sim/runner.ts';
import { cxlSimProfile } from './cxl-sim/profile.ts';
import { createCxlSimRunner } from './cxl-sim/runner.ts';

export interface RunnerDeps {
  repoRoot: string;
  cacheDir: string;
  /** Extra guest kernel arguments (test knobs like "daxbot.hang=NAME"). */
  extraKernelArgs?: string[];
}

/** What a runner really tests with a given config: what a reply and a baseline key must name. */
export interface RunnerProfile {
  fragments: string[];
  suites: string[];
  /** Where the NVDIMMs come from, in words for a reply. */
  platform: string;
  /** Whether the config's QEMU NVDIMM devices are used (the simulator brings its own buses). */
  usesQemuNvdimms: boolean;
}

export interface RunnerModule {
  kind: RunnerConfig['kind'];
  description: string;
  create(config: RunnerConfig, deps: RunnerDeps): Runner;
  /** The effective fragments and suites; the config's values when absent. */
  profile?(config: RunnerConfig): RunnerProfile;
}

const modules = new Map<string, RunnerModule>();

export function registerRunner(mod: RunnerModule): void {
  modules.set(mod.kind, mod);
}

/** The module for a kind; undefined when none is registered. */
export function getRunner(kind: string): RunnerModule | undefined {
  return modules.get(kind);
}

export function listRunners(): RunnerModule[] {
  return [...modules.values()];
}

export function runnerProfile(config: RunnerConfig): RunnerProfile {
  return (
    getRunner(config.kind)?.profile?.(config) ?? {
      fragments: config.fragments,
      suites: config.suites,
      platform: 'emulated by QEMU (nvdimm=on, label-size)',
      usesQemuNvdimms: true,
    }
  );
}

registerRunner({
  kind: 'qemu-pmem',
  description: 'Linux in QEMU (TCG) with emulated NVDIMMs and the DAX suite',
  create: (config, deps) =>
    createQemuPmemRunner({
      config,
      repoRoot: deps.repoRoot,
      cacheDir: deps.cacheDir,
      ...(deps.extraKernelArgs ? { extraKernelArgs: deps.extraKernelArgs } : {}),
    }),
});

registerRunner({
  kind: 'nfit-sim',
  profile: (config) => ({
    ...nfitSimProfile(config),
    platform:
      'simulated by nfit_test (tools/testing/nvdimm, built from the tested tree): buses nfit_test.0 and nfit_test.1',
    usesQemuNvdimms: false,
  }),
  description: "Linux in QEMU (TCG) with the kernel's nfit_test simulated NVDIMM buses and the simulator suite",
  create: (config, deps) =>
    createNfitSimRunner({
      config,
      repoRoot: deps.repoRoot,
      cacheDir: deps.cacheDir,
      ...(deps.extraKernelArgs ? { extraKernelArgs: deps.extraKernelArgs } : {}),
    }),
});

registerRunner({
  kind: 'cxl-sim',
  profile: (config) => ({
    ...cxlSimProfile(config),
    platform: 'simulated by cxl_test (tools/testing/cxl, built from the tested tree): the cxl_test topology',
    usesQemuNvdimms: false,
  }),
  description: "Linux in QEMU (TCG) with the kernel's cxl_test simulated CXL topology and the CXL smoke suite",
  create: (config, deps) =>
    createCxlSimRunner({
      config,
      repoRoot: deps.repoRoot,
      cacheDir: deps.cacheDir,
      ...(deps.extraKernelArgs ? { extraKernelArgs: deps.extraKernelArgs } : {}),
    }),
});
