/**
 * The ndctl runner: ndctl's own series, tested as a project of their own. One run:
 *
 *   1. apply the series to the ndctl tree in its slot (or check the base out: a baseline run);
 *   2. build the tree with meson in the Debian root filesystem, sandboxed (./build.ts); gcc's
 *      errors and warnings are the build result, as a kernel build's are;
 *   3. run ndctl's meson suites from that build in the guest, on nfit_test, with a known-good
 *      kernel: the configured kernel tree at its configured revision, never patched, built and
 *      booted by the nfit-sim runner in that runner's build folder of the tree, made once and then
 *      reused while the folder is unchanged (./known-good.ts), with the patched ndctl installed
 *      in the guest instead of v81's.
 *
 * The series is the only thing that differs between a base run and a series run (the kernel is
 * the same), so the judge's comparison and the bisection within the series (over patchLimit)
 * work as for kernel series. Failures of the series are results; a kernel that does not build
 * or boot is our machinery's (InfraError), never the author's.
 */
import path from 'node:path';
import { applyInSlot, newRunResult, recordBuildFailure } from '../core/kernel-run.ts';
import { InfraError } from '../errors.ts';
import { createNfitSimRunner } from '../nfit-sim/runner.ts';
import { nfitSimSchema } from '../nfit-sim/schema.ts';
import { withSlotLock } from '../tree/slot-lock.ts';
import { slotDirFor } from '../tree/slot.ts';
import type { RunContext, RunRequest, RunResult, Runner } from '../types.ts';
import { buildNdctlTree } from './build.ts';
import { knownGoodBuildStep } from './known-good.ts';
import { NDCTL_RUNNER_SUITES, type NdctlRunnerConfig } from './schema.ts';

export const NDCTL_DESCRIPTION =
  "ndctl's own series: a meson build of the patched ndctl, its meson suites on nfit_test with a known-good kernel";

/** The slot's name beside the kernel slots: one ndctl checkout per tree. */
const NDCTL_SLOT = 'ndctl';

export interface NdctlRunnerOptions {
  config: NdctlRunnerConfig;
  repoRoot: string;
  cacheDir: string;
  /** A configured tree's repository by name (bot/wire.ts); <cacheDir>/<name> when absent. */
  treePath?: (name: string) => string;
  /** The kernel run (tests: a fake); the nfit-sim runner by default. */
  kernelRunner?: (source: string) => Runner;
  /** The ndctl build (tests: a fake); ./build.ts by default. */
  buildTree?: typeof buildNdctlTree;
}

/** The nfit-sim runner that boots the known-good kernel with `source` as the ndctl under test. */
function nfitSimFor(o: NdctlRunnerOptions, source: string): Runner {
  const c = o.config;
  const config = nfitSimSchema.parse({
    name: `${c.name}-kernel`,
    kind: 'nfit-sim',
    suites: NDCTL_RUNNER_SUITES,
    ndctlSource: source,
    ndctlSuites: c.ndctlSuites,
    ndctlTests: c.ndctlTests,
    ndctlDestructive: c.ndctlDestructive,
    ndctlMesonOptions: c.ndctlMesonOptions,
    ndctlTimeoutMultiplier: c.ndctlTimeoutMultiplier,
    memoryMiB: c.memoryMiB,
    cpus: c.cpus,
    bootTimeout: c.bootTimeout,
    testTimeout: c.testTimeout,
    overallTimeout: c.overallTimeout,
    jobs: c.jobs,
  });
  return createNfitSimRunner({ config, repoRoot: o.repoRoot, cacheDir: o.cacheDir, buildStep: knownGoodBuildStep() });
}

/** The guest run's outcome copied into the ndctl run's result; its kernel build is ours. */
function adoptGuestRun(result: RunResult, guest: RunResult): void {
  if (!guest.build?.ok)
    throw new InfraError(`the known-good kernel does not build: ${guest.summary}`, { tree: guest.tree });
  if (guest.failureClass === 'infra') throw new InfraError(`known-good kernel run: ${guest.summary}`, {});
  result.booted = guest.booted;
  result.tests = guest.tests;
  result.findings = guest.findings;
  result.failureClass = guest.failureClass === 'kernel' ? 'patch' : guest.failureClass;
  result.summary = guest.summary;
  result.consoleLog = guest.consoleLog;
  if (guest.qemuCommand) result.qemuCommand = guest.qemuCommand;
  const { buildMs, applyMs, totalMs: _total, ...rest } = guest.timings;
  Object.assign(result.timings, rest, { kernelBuildMs: buildMs ?? 0, kernelCheckoutMs: applyMs ?? 0 });
}

async function runNdctl(o: NdctlRunnerOptions, req: RunRequest, ctx: RunContext, slot: string): Promise<RunResult> {
  const progress = ctx.progress ?? (() => undefined);
  const result = newRunResult(o.config.name, req.tree, '', {});
  if (!(await applyInSlot(req, slot, result, progress))) return result;
  progress('build', 'meson build of the ndctl tree in the Debian root filesystem (sandboxed)');
  const build = await (o.buildTree ?? buildNdctlTree)({
    source: slot,
    cacheDir: o.cacheDir,
    workDir: req.workDir,
    jobs: o.config.jobs,
    destructive: o.config.ndctlDestructive,
    mesonOptions: o.config.ndctlMesonOptions,
    log: ctx.log,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  result.build = build;
  result.configHash = build.configHash;
  result.timings.buildMs = build.durationMs;
  if (!build.ok) {
    recordBuildFailure(result, build, req.mbox !== undefined);
    return result;
  }
  if (req.buildOnly) {
    result.summary = 'built (build-only step, not booted)';
    return result;
  }
  const kernelTree = (o.treePath ?? ((n: string) => path.join(o.cacheDir, n)))(o.config.kernelTree);
  progress('boot', `known-good kernel ${o.config.kernelTree} ${o.config.kernelRef} with nfit_test`);
  const runner = (o.kernelRunner ?? ((s: string) => nfitSimFor(o, s)))(slot);
  const guest = await runner.run(
    {
      tree: kernelTree,
      base: o.config.kernelRef,
      workDir: path.join(req.workDir, 'kernel'),
      suites: NDCTL_RUNNER_SUITES,
    },
    ctx,
  );
  adoptGuestRun(result, guest);
  return result;
}

export function createNdctlRunner(o: NdctlRunnerOptions): Runner {
  return {
    name: o.config.name,
    description: NDCTL_DESCRIPTION,
    run: async (req, ctx) => {
      const t0 = Date.now();
      const slot = slotDirFor(o.cacheDir, req.tree, NDCTL_SLOT);
      const result = await withSlotLock(slot, () => runNdctl(o, req, ctx, slot));
      result.timings.totalMs = Date.now() - t0;
      return result;
    },
  };
}
