/**
 * The qemu-pmem runner on the core sequence (runners/core/sequence.ts): the kernel built with the
 * pmem fragment, booted in QEMU (TCG) with the configured emulated NVDIMMs, running the guest's
 * DAX suites. It adds to the shared DAX guest only its NVDIMMs and the per-test timeout word the
 * guest's watchdog reads. Patch and kernel failures are results; only machinery failures throw
 * InfraError.
 */
import path from 'node:path';
import { toMs } from '../../config/duration.ts';
import { createKernelRunner, type KernelRunDeps, type KernelRunSteps, type RunInfo } from '../core/sequence.ts';
import type { Runner } from '../types.ts';
import type { QemuPmemConfig } from './schema.ts';

export interface QemuPmemOptions extends KernelRunDeps {
  config: QemuPmemConfig;
}

export const QEMU_PMEM_DESCRIPTION =
  'Linux in QEMU (TCG) with emulated NVDIMMs: fsdax on ext4/xfs, devdax, namespace reconfiguration';

function steps(cfg: QemuPmemConfig, run: RunInfo): KernelRunSteps {
  return {
    guest: async () => ({
      suites: run.suites,
      files: [],
      append: [`daxbot.test_timeout=${Math.round(toMs(cfg.testTimeout) / 1000)}`],
      nvdimms: cfg.nvdimms.map((d, i) => ({ ...d, path: path.join(run.req.workDir, `nvdimm${i}.img`) })),
      devices: `${cfg.nvdimms.length} NVDIMM(s)`,
    }),
  };
}

export function createQemuPmemRunner(opts: QemuPmemOptions): Runner {
  const { config, ...deps } = opts;
  return createKernelRunner(
    {
      config,
      description: QEMU_PMEM_DESCRIPTION,
      fragments: config.fragments,
      suites: config.suites,
      start: (run) => steps(config, run),
    },
    deps,
  );
}
