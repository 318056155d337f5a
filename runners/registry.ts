/**
 * Runner modules by kind. A module turns a RunnerConfig (config/schema.ts) plus the process's
 * paths into a Runner. Other kinds register here with registerRunner (e.g. "nfit-sim").
 */
import type { RunnerConfig } from '../config/schema.ts';
import type { Runner } from './types.ts';
import { createQemuPmemRunner } from './qemu-pmem/runner.ts';
import { createNfitSimRunner } from './nfit-sim/runner.ts';

export interface RunnerDeps {
  repoRoot: string;
  cacheDir: string;
  /** Extra guest kernel arguments (test knobs like "daxbot.hang=NAME"). */
  extraKernelArgs?: string[];
}

export interface RunnerModule {
  kind: RunnerConfig['kind'];
  description: string;
  create(config: RunnerConfig, deps: RunnerDeps): Runner;
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
  description: "Linux in QEMU (TCG) with the kernel's nfit_test simulated NVDIMM buses and the simulator suite",
  create: (config, deps) =>
    createNfitSimRunner({
      config,
      repoRoot: deps.repoRoot,
      cacheDir: deps.cacheDir,
      ...(deps.extraKernelArgs ? { extraKernelArgs: deps.extraKernelArgs } : {}),
    }),
});
