/**
 * cxl-sim bench: on the 6.1 tree (BENCH_TREE=6.12 for the other one), (1) the build with the
 * cxl-sim fragments and the cxl_test modules, (2) the rebuild after a one-line drivers/cxl patch
 * (the region-teardown fixture, so (2) also times the smoke suite catching it), (3) the rebuild
 * back to the base, each with boot to topology ready and the smoke suite's time under TCG, and
 * every test's own duration. Prints figures, asserts nothing. Uses DAXBOT_CACHE_DIR /
 * <repo>/var/cache (a warm build folder makes (1) incremental); BENCH_FRESH=1 uses a new cache
 * folder (cold build and ccache) instead. BENCH_SUITES=cxl-sim,cxl-meson adds ndctl's suite when
 * the runner config (BENCH_NDCTL=<checkout>) names an ndctl source.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../../bot/log.ts';
import { runnerSchema } from '../../config/schema.ts';
import { configHash, loadFragments } from '../../runners/build/kconfig.ts';
import { buildDirFor } from '../../runners/build/make.ts';
import { cxlSimProfile } from '../../runners/cxl-sim/profile.ts';
import { createCxlSimRunner } from '../../runners/cxl-sim/runner.ts';
import { debianTarball, debianTreeName, ensureLinuxTree, resolveCacheDir } from '../../runners/tree/setup.ts';
import { treeSlug } from '../../runners/tree/slot.ts';
import type { RunResult } from '../../runners/types.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const patches: Record<string, string> = {
  '6.1': 'cxl-region-reset-off-by-one.patch',
  '6.12': 'cxl-region-reset-off-by-one-6.12.patch',
};

const s = (ms: number | undefined): string => (ms === undefined ? 'n/a' : `${(ms / 1000).toFixed(1)} s`);

function report(label: string, r: RunResult): void {
  const t = r.timings;
  const tests = r.tests
    .filter((x) => !x.name.startsWith('module-'))
    .map((x) => `${x.name} ${x.status}${x.durationMs !== undefined ? ` ${s(x.durationMs)}` : ''}`)
    .join(', ');
  process.stdout.write(
    `${label}: ${r.failureClass} (${r.summary})\n` +
      `  build total ${s(t.buildMs)} = kernel+in-tree modules ${s(t.buildKernelMs)} + cxl_test modules ${s(t.buildModulesMs)}\n` +
      `  boot to first test ${s(t.bootMs)}, kernel start to topology ready ${s(t.bootToTopologyMs)} ` +
      `(first insmod to ready ${s(t.topologyMs)}), suites ${s(t.suiteMs)}, QEMU total ${s(t.qemuMs)}\n` +
      `  tests: ${tests}\n`,
  );
}

export async function benchCxlSim(): Promise<void> {
  const log = silentLogger();
  const series = process.env.BENCH_TREE ?? '6.1';
  const patch = patches[series];
  if (!patch) throw new Error(`BENCH_TREE must be one of ${Object.keys(patches).join(', ')}`);
  const sharedCache = resolveCacheDir(repoRoot, process.env);
  const tree = await ensureLinuxTree(sharedCache, log, {
    name: debianTreeName(series),
    tarball: debianTarball(series),
  });
  const cacheDir =
    process.env.BENCH_FRESH === '1' ? await mkdtemp(path.join(os.tmpdir(), 'daxbot-bench-cxl-')) : sharedCache;
  const config = runnerSchema.parse({
    name: 'cxl-sim',
    kind: 'cxl-sim',
    overallTimeout: '120m',
    testTimeout: '600s',
    suites: (process.env.BENCH_SUITES ?? 'cxl-sim').split(','),
    ...(process.env.BENCH_NDCTL ? { ndctlSource: process.env.BENCH_NDCTL } : {}),
  });
  const hash = configHash(await loadFragments(cxlSimProfile(config).fragments, repoRoot));
  const cold = !existsSync(path.join(buildDirFor(cacheDir, treeSlug(tree.path), hash), 'vmlinux'));
  const runner = createCxlSimRunner({ config, repoRoot, cacheDir });
  const dirs: string[] = [];
  const work = async (): Promise<string> => {
    const d = await mkdtemp(path.join(os.tmpdir(), 'daxbot-bench-cxl-run-'));
    dirs.push(d);
    return d;
  };
  process.stdout.write(
    `tree ${tree.tag}, cache ${cacheDir}, build folder ${cold ? 'empty (full build)' : 'warm (incremental)'}\n`,
  );
  const base = await runner.run({ tree: tree.path, base: tree.tag, workDir: await work() }, { log });
  report(cold ? 'full build + run (base)' : 'base run (build folder was warm)', base);
  const mbox = path.join(repoRoot, 'test', 'fixtures', 'patches', patch);
  const patched = await runner.run({ tree: tree.path, base: tree.tag, mbox, workDir: await work() }, { log });
  report('rebuild after a one-line drivers/cxl patch (breaks region teardown) + run', patched);
  const again = await runner.run({ tree: tree.path, base: tree.tag, workDir: await work() }, { log });
  report('rebuild back to base + run', again);
  for (const d of dirs) await rm(d, { recursive: true, force: true });
}
