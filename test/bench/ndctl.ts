/**
 * ndctl bench: ndctl v81's full `ndctl` and `dax` meson suites on nfit_test under TCG, on the 6.1
 * and 6.12 trees (BENCH_TREES=6.1 for one). Prints what each part costs: the Debian root
 * filesystem (debootstrap) and the ndctl build, made cold in a fresh folder (BENCH_COLD=0 skips
 * that), then per tree the kernel build, the boot and every test's own duration and result, from
 * meson's testlog.json. Asserts nothing: the figures go into the README's CI subset rationale.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../bot/log.ts';
import { ensureDebianRootfsImage } from '../../runners/guest/debian-rootfs.ts';
import { ensureNdctlBuild } from '../../runners/nfit-sim/ndctl-build.ts';
import { createNfitSimRunner } from '../../runners/nfit-sim/runner.ts';
import type { RunResult } from '../../runners/types.ts';
import { kernelCacheDir, repoRoot } from '../helpers/kernel-env.ts';
import { debianTree, ndctlCheckout, realNdctlRunner } from '../helpers/ndctl-env.ts';

const s = (ms: number | undefined): string => (ms === undefined ? 'n/a' : `${(ms / 1000).toFixed(1)} s`);
const out = (line: string): boolean => process.stdout.write(`${line}\n`);

/** debootstrap + image and the ndctl build, from nothing, in a throwaway cache folder. */
async function coldParts(source: string): Promise<void> {
  const cacheDir = await mkdtemp(path.join(os.tmpdir(), 'daxbot-bench-ndctl-'));
  try {
    const rootfs = await ensureDebianRootfsImage({ cacheDir });
    out(`debootstrap ${s(rootfs.durationMs)}, root filesystem image ${s(rootfs.imageMs)}`);
    const built = await ensureNdctlBuild({
      source,
      cacheDir,
      rootfs: rootfs.paths.root,
      rootfsKey: rootfs.key,
      destructive: false,
      mesonOptions: ['-Ddocs=disabled', '-Dsystemd=disabled'],
    });
    out(`ndctl v81 meson setup + ninja ${s(built.buildMs)} (${built.ok ? 'ok' : 'failed'}), image ${s(built.imageMs)}`);
  } finally {
    await rm(cacheDir, { recursive: true, force: true });
  }
}

function report(series: string, r: RunResult): void {
  const t = r.timings;
  out(`linux ${series}: ${r.failureClass} (${r.summary})`);
  out(
    `  kernel build ${s(t.buildKernelMs)} + nfit_test modules ${s(t.buildModulesMs)}; ` +
      `rootfs ${s(t.ndctlRootfsMs)}, ndctl build ${s(t.ndctlBuildMs)} (cached); ` +
      `boot ${s(t.bootMs)}, suites ${s(t.suiteMs)}, QEMU ${s(t.qemuMs)}, total ${s(t.totalMs)}`,
  );
  const ndctl = r.tests.filter((x) => x.suite === 'ndctl' || x.suite === 'dax');
  for (const x of ndctl)
    out(`  ${x.suite}/${x.name}`.padEnd(34) + `${x.status.padEnd(8)}${s(x.durationMs).padStart(8)}  ${x.reason ?? ''}`);
  const by = (st: string): number => ndctl.filter((x) => x.status === st).length;
  out(`  ${ndctl.length} tests: ${by('pass')} pass, ${by('skip')} skip, ${by('fail')} fail, ${by('error')} error`);
}

export async function benchNdctl(): Promise<void> {
  const source = await ndctlCheckout();
  if (process.env.BENCH_COLD !== '0') await coldParts(source);
  const series = (process.env.BENCH_TREES ?? '6.1,6.12').split(',').filter(Boolean);
  const log = silentLogger();
  for (const v of series) {
    const tree = await debianTree(v);
    const workDir = await mkdtemp(path.join(os.tmpdir(), 'daxbot-bench-ndctl-run-'));
    const config = realNdctlRunner(source);
    const runner = createNfitSimRunner({ config, repoRoot, cacheDir: kernelCacheDir });
    const r = await runner.run({ tree: tree.path, base: tree.tag, workDir }, { log });
    report(v, r);
    await rm(workDir, { recursive: true, force: true });
  }
}
