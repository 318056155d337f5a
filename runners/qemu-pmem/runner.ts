/**
 * The qemu-pmem runner: apply the series in the (tree, config) build slot, build the kernel with
 * the pmem fragment, boot it in QEMU (TCG) with emulated NVDIMMs and run the guest suites.
 * Patch and kernel failures are results; only machinery failures throw InfraError.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InfraError } from '../../bot/errors.ts';
import { toMs, type RunnerConfig } from '../../config/schema.ts';
import type { Finding, RunContext, RunRequest, RunResult, Runner } from '../types.ts';
import { buildDirFor, buildKernel } from '../build/make.ts';
import { configHash, loadFragments } from '../build/kconfig.ts';
import { applySeries } from '../tree/apply.ts';
import { checkoutSlot, slotDirFor, treeSlug } from '../tree/slot.ts';
import { daxInitramfs } from '../guest/dax-initramfs.ts';
import { runQemu } from '../qemu/run.ts';
import { analyzeGuestRun, type Parsers } from './analyze.ts';
import { withSlotLock } from '../tree/slot-lock.ts';

export interface QemuPmemOptions {
  config: RunnerConfig;
  repoRoot: string;
  cacheDir: string;
  /** Extra kernel command line words (e.g. "daxbot.hang=ext4_mmap_rw" to inject a guest hang). */
  extraKernelArgs?: string[];
  parsers?: Parsers;
  symbolize?: (finding: Finding, vmlinux: string, tree: string) => Promise<Finding> | Finding;
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
      const result: RunResult = {
        runner: cfg.name,
        tree: req.tree,
        base: null,
        head: null,
        configHash: hash,
        apply: null,
        build: null,
        booted: false,
        tests: [],
        findings: [],
        failureClass: 'none',
        summary: '',
        consoleLog: null,
        timings,
      };

      return withSlotLock(slot, async () => {
        // Apply (or just check out the base) in the slot.
        progress('apply', req.mbox ? `applying ${req.mbox}` : `checking out ${req.base}`);
        let t = Date.now();
        if (req.mbox) {
          const apply = await applySeries({ tree: req.tree, worktree: slot, base: req.base, mbox: req.mbox, ...(req.patchLimit === undefined ? {} : { patchLimit: req.patchLimit }) });
          result.apply = apply;
          result.base = apply.base;
          result.head = apply.head;
          timings.applyMs = Date.now() - t;
          if (!apply.ok) {
            const last = apply.attempts[apply.attempts.length - 1];
            result.failureClass = 'patch';
            result.summary = `series does not apply: patch ${last?.failedPatch ?? '?'} (${last?.failedSubject ?? 'unknown'}) conflicts in ${(last?.conflictFiles ?? []).join(', ') || 'unknown files'}`;
            timings.totalMs = Date.now() - t0;
            return result;
          }
        } else {
          const sha = await checkoutSlot(req.tree, slot, req.base);
          result.base = sha;
          result.head = sha;
          timings.applyMs = Date.now() - t;
        }

        // Build.
        progress('build', `make O=${buildDirFor(opts.cacheDir, treeSlug(req.tree), hash)}`);
        t = Date.now();
        const build = await buildKernel({
          source: slot,
          buildDir: buildDirFor(opts.cacheDir, treeSlug(req.tree), hash),
          fragments,
          cacheDir: opts.cacheDir,
          jobs: cfg.jobs,
          log: ctx.log,
          ...(ctx.signal ? { signal: ctx.signal } : {}),
          logFile: path.join(req.workDir, 'build.log'),
        });
        result.build = build;
        timings.buildMs = Date.now() - t;
        if (!build.ok || !build.bzImage) {
          result.failureClass = req.mbox ? 'patch' : 'kernel';
          const e = build.errors[0];
          result.summary = `build failed: ${e ? `${e.file}:${e.line}: ${e.message}` : 'see output'}`;
          timings.totalMs = Date.now() - t0;
          return result;
        }

        // Guest image.
        t = Date.now();
        const initrd = await daxInitramfs(opts.repoRoot, opts.cacheDir);
        timings.initramfsMs = Date.now() - t;

        // Boot and test.
        progress('boot', `qemu ${cfg.memoryMiB} MiB, ${cfg.nvdimms.length} NVDIMM(s)`);
        const limits = { bootTimeoutMs: toMs(cfg.bootTimeout), testTimeoutMs: toMs(cfg.testTimeout), overallTimeoutMs: toMs(cfg.overallTimeout) };
        const consolePath = path.join(req.workDir, 'console.log');
        await writeFile(consolePath, '');
        t = Date.now();
        const q = await runQemu({
          spec: {
            kernel: build.bzImage,
            initrd,
            append: [`daxbot.suites=${suites.join(',')}`, ...(opts.extraKernelArgs ?? [])],
            memoryMiB: cfg.memoryMiB,
            cpus: cfg.cpus,
            nvdimms: cfg.nvdimms.map((d, i) => ({ ...d, path: path.join(req.workDir, `nvdimm${i}.img`) })),
          },
          logFile: consolePath,
          ...limits,
          ...(ctx.signal ? { signal: ctx.signal } : {}),
          onLine: (line) => {
            const m = /DAXBOT: test-start (\S+)/.exec(line);
            if (m?.[1]) progress('test', m[1]);
          },
        });
        timings.qemuMs = Date.now() - t;
        if (q.bootMs !== null) {
          timings.bootMs = q.bootMs;
          timings.suiteMs = q.durationMs - q.bootMs;
        }
        result.qemuCommand = q.command;
        result.consoleLog = consolePath;
        if (q.killed === 'cancelled') throw new InfraError('run cancelled', { tree: req.tree, base: req.base });

        const parsers: Parsers = opts.parsers ?? (await defaults()).defaultParsers;
        const symbolize = opts.symbolize ?? (await defaults()).defaultSymbolize;
        const outcome = analyzeGuestRun(q, suites, parsers, limits);
        result.tests = outcome.tests;
        result.booted = outcome.booted;
        result.failureClass = outcome.failureClass;
        result.summary = outcome.summary;
        // Symbolize against the build's vmlinux and the slot's source (the paths DWARF names).
        t = Date.now();
        result.findings = [];
        for (const f of outcome.findings) {
          if (f.trace.length === 0 && !f.rip) {
            result.findings.push(f);
            continue;
          }
          try {
            result.findings.push(await symbolize(f, build.vmlinux ?? '', slot));
          } catch (err) {
            ctx.log.warn({ err }, 'symbolizing failed');
            result.findings.push(f);
          }
        }
        timings.symbolizeMs = Date.now() - t;
        timings.totalMs = Date.now() - t0;
        return result;
      });
    },
  };
}
