/**
 * The qemu-pmem runner on the core sequence (runners/core/sequence.ts): the kernel built with the
 * pmem fragment, booted in QEMU (TCG) with the configured emulated NVDIMMs, running the guest's
 * DAX suites. What it adds to the sequence: its NVDIMMs and the per-test timeout word the guest's
 * watchdog reads; and, when the run asks for the fstests-dax suite, the host preparation of that
 * suite (root filesystem, fstests build and results disks, fstests-suite.ts) and the reading of
 * its results disk after the boot. Patch and kernel failures are results; only machinery
 * failures throw InfraError.
 */
import path from 'node:path';
import { toMs } from '../../config/duration.ts';
import { createKernelRunner, type KernelRunDeps, type KernelRunSteps, type RunInfo } from '../core/sequence.ts';
import type { Runner } from '../types.ts';
import { FSTESTS_DAX_SUITE } from './fstests-config.ts';
import { fstestsRunResults, mergeFstestsResults, prepareFstestsSuite, type FstestsSuitePrep } from './fstests-suite.ts';
import type { QemuPmemConfig } from './schema.ts';

export interface QemuPmemOptions extends KernelRunDeps {
  config: QemuPmemConfig;
  /** Replaces the fstests-dax suite's host preparation (tests: no debootstrap, no fstests build). */
  prepareFstests?: typeof prepareFstestsSuite;
}

export const QEMU_PMEM_DESCRIPTION =
  'Linux in QEMU (TCG) with emulated NVDIMMs: fsdax on ext4/xfs, devdax, namespace reconfiguration';

function steps(opts: QemuPmemOptions, run: RunInfo): KernelRunSteps {
  const cfg = opts.config;
  let fstests: FstestsSuitePrep | null = null;
  return {
    prepare: async () => {
      fstests = await (opts.prepareFstests ?? prepareFstestsSuite)({
        config: cfg,
        suites: run.suites,
        repoRoot: opts.repoRoot,
        cacheDir: opts.cacheDir,
        workDir: run.req.workDir,
        log: run.ctx.log,
        ...(run.ctx.signal ? { signal: run.ctx.signal } : {}),
      });
      return fstests.timings;
    },
    guest: async () => ({
      // fstests-dax boots only when its host side is ready; it reports on its own results disk.
      suites: run.suites.filter((s) => s !== FSTESTS_DAX_SUITE || fstests?.run === true),
      ktapSuites: run.suites.filter((s) => s !== FSTESTS_DAX_SUITE),
      files: fstests?.guestFiles ?? [],
      append: [`daxbot.test_timeout=${Math.round(toMs(cfg.testTimeout) / 1000)}`, ...(fstests?.append ?? [])],
      nvdimms: cfg.nvdimms.map((d, i) => ({ ...d, path: path.join(run.req.workDir, `nvdimm${i}.img`) })),
      qemuExtra: fstests?.qemuExtra ?? [],
      readOnly: fstests?.readOnly ?? [],
      readWrite: fstests?.readWrite ?? [],
      devices: `${cfg.nvdimms.length} NVDIMM(s)`,
    }),
    results: async (outcome, q) => {
      if (!fstests) return outcome;
      const results = await fstestsRunResults(fstests, { consoleLog: q.console, stop: q, durations: q.testDurations });
      return mergeFstestsResults(outcome, results);
    },
  };
}

export function createQemuPmemRunner(opts: QemuPmemOptions): Runner {
  const { config, prepareFstests: _p, ...deps } = opts;
  return createKernelRunner(
    {
      config,
      description: QEMU_PMEM_DESCRIPTION,
      fragments: config.fragments,
      suites: config.suites,
      start: (run) => steps(opts, run),
    },
    deps,
  );
}
