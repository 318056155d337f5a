/**
 * The qemu-pmem runner: apply the series in the (tree, config) build slot, build the kernel with
 * the pmem fragment, boot it in QEMU (TCG) with emulated NVDIMMs and run the guest suites.
 * Patch and kernel failures are results; only machinery failures throw InfraError.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { toMs, type RunnerConfig } from '../../config/schema.ts';
import type { RunContext, RunRequest, RunResult, Runner } from '../types.ts';
import { buildDirFor, buildKernel } from '../build/make.ts';
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
import { daxInitramfs } from '../guest/dax-initramfs.ts';
import { analyzeGuestRun, type Parsers } from './analyze.ts';
import { withSlotLock } from '../tree/slot-lock.ts';
import { FSTESTS_DAX_SUITE } from './fstests-config.ts';
import { fstestsRunResults, mergeFstestsResults, prepareFstestsSuite } from './fstests-suite.ts';

export interface QemuPmemOptions {
  config: RunnerConfig;
  repoRoot: string;
  cacheDir: string;
  /** Extra kernel command line words (e.g. "daxbot.hang=ext4_mmap_rw" to inject a guest hang). */
  extraKernelArgs?: string[];
  parsers?: Parsers;
  symbolize?: Symbolize;
}

export function createQemuPmemRunner(opts: QemuPmemOptions): Runner {
  const cfg = opts.config;
  // The real parsers load on first use, so a runner with injected parsers needs none of them.
  const defaults = (): Promise<typeof import('./parsers.ts')> => import('./parsers.ts');
  return {
    name: cfg.name,
    description: 'Linux in QEMU (TCG) with emulated NVDIMMs: fsdax on ext4/xfs, devdax, namespace reconfiguration',
    async run(req: RunRequest, ctx: RunContext): Promise<RunResult> {
      const t0 = Date.now();
      const timings: Record<string, number> = {};
      const progress = ctx.progress ?? (() => undefined);
      const fragments = await loadFragments(cfg.fragments, opts.repoRoot);
      const hash = configHash(fragments);
      const slot = slotDirFor(opts.cacheDir, req.tree, hash);
      const suites = req.suites && req.suites.length > 0 ? req.suites : cfg.suites;
      await mkdir(req.workDir, { recursive: true });
      const result = newRunResult(cfg.name, req.tree, hash, timings);

      return withSlotLock(slot, async () => {
        if (!(await applyInSlot(req, slot, result, progress))) {
          timings.totalMs = Date.now() - t0;
          return result;
        }

        const buildDir = buildDirFor(opts.cacheDir, treeSlug(req.tree), hash);
        progress('build', `make O=${buildDir}`);
        let t = Date.now();
        const build = await buildKernel({
          source: slot,
          buildDir,
          fragments,
          cacheDir: opts.cacheDir,
          jobs: cfg.jobs,
          log: ctx.log,
          ...(ctx.signal ? { signal: ctx.signal } : {}),
          logFile: path.join(req.workDir, 'build.log'),
        });
        result.build = build;
        timings.buildMs = build.durationMs;
        if (!build.ok || !build.bzImage) {
          recordBuildFailure(result, build, req.mbox !== undefined);
          timings.totalMs = Date.now() - t0;
          return result;
        }

        const fstests = await prepareFstestsSuite({
          config: cfg,
          suites,
          repoRoot: opts.repoRoot,
          cacheDir: opts.cacheDir,
          workDir: req.workDir,
          log: ctx.log,
          ...(ctx.signal ? { signal: ctx.signal } : {}),
        });
        Object.assign(timings, fstests.timings);
        // fstests-dax reports through its own results disk; the others are KTAP on the console.
        const ktapSuites = suites.filter((s) => s !== FSTESTS_DAX_SUITE);
        const booted = suites.filter((s) => s !== FSTESTS_DAX_SUITE || fstests.run);

        t = Date.now();
        const initrd = await daxInitramfs(opts.repoRoot, opts.cacheDir, fstests.guestFiles);
        timings.initramfsMs = Date.now() - t;

        progress('boot', `qemu ${cfg.memoryMiB} MiB, ${cfg.nvdimms.length} NVDIMM(s)`);
        const limits = {
          bootTimeoutMs: toMs(cfg.bootTimeout),
          testTimeoutMs: toMs(cfg.testTimeout),
          overallTimeoutMs: toMs(cfg.overallTimeout),
        };
        const q = await bootGuest(req, ctx, result, {
          spec: {
            kernel: build.bzImage,
            initrd,
            append: [
              `daxbot.suites=${booted.join(',')}`,
              `daxbot.test_timeout=${Math.round(toMs(cfg.testTimeout) / 1000)}`,
              ...fstests.append,
              ...(opts.extraKernelArgs ?? []),
            ],
            memoryMiB: cfg.memoryMiB,
            cpus: cfg.cpus,
            nvdimms: cfg.nvdimms.map((d, i) => ({ ...d, path: path.join(req.workDir, `nvdimm${i}.img`) })),
            extra: fstests.qemuExtra,
          },
          readOnly: fstests.readOnly,
          readWrite: fstests.readWrite,
          ...limits,
        });

        const parsers: Parsers = opts.parsers ?? (await defaults()).defaultParsers;
        const symbolize = opts.symbolize ?? (await defaults()).defaultSymbolize;
        const fstestsResults = await fstestsRunResults(fstests, {
          consoleLog: q.console,
          stop: q,
          durations: q.testDurations,
        });
        const outcome = mergeFstestsResults(analyzeGuestRun(q, ktapSuites, parsers, limits), fstestsResults);
        result.tests = outcome.tests;
        result.booted = outcome.booted;
        result.failureClass = outcome.failureClass;
        result.summary = outcome.summary;
        t = Date.now();
        result.findings = await symbolizeFindings(outcome.findings, symbolize, build.vmlinux ?? '', slot, ctx.log);
        timings.symbolizeMs = Date.now() - t;
        timings.totalMs = Date.now() - t0;
        return result;
      });
    },
  };
}
