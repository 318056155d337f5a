/**
 * Simulator bench: (1) the build with the nfit-sim profile and the nfit_test modules, (2) the
 * rebuild after a one-file patch in drivers/nvdimm, (3) boot to buses ready, (4) the suite.
 * Prints figures, asserts nothing. Uses DAXBOT_CACHE_DIR / <repo>/var/cache (warm folders make
 * (1) incremental); BENCH_FRESH=1 uses a new cache folder (cold build and ccache) instead.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../../bot/log.ts';
import { nfitSimSchema } from '../../runners/nfit-sim/schema.ts';
import { configHash, loadFragments } from '../../runners/build/kconfig.ts';
import { buildDirFor } from '../../runners/build/make.ts';
import { createNfitSimRunner } from '../../runners/nfit-sim/runner.ts';
import { nfitSimProfile } from '../../runners/nfit-sim/profile.ts';
import { ensureLinuxTree, resolveCacheDir } from '../../runners/tree/setup.ts';
import { treeSlug } from '../../runners/tree/slot.ts';
import type { RunResult } from '../../runners/types.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const benchPatch = path.join(repoRoot, 'test', 'fixtures', 'patches', 'nfit-sim-bench-pmem-debug.patch');

const s = (ms: number | undefined): string => (ms === undefined ? 'n/a' : `${(ms / 1000).toFixed(1)} s`);

function report(label: string, r: RunResult): void {
  const t = r.timings;
  // QEMU start to both buses present: bootMs ends at buses-present's only marker, which suite.sh
  // prints before insmod, and the test's duration runs from there to its result.
  const busesMs =
    t.bootMs !== undefined ? t.bootMs + (r.tests.find((x) => x.name === 'buses-present')?.durationMs ?? 0) : undefined;
  process.stdout.write(
    `${label}: ${r.failureClass} (${r.summary})\n` +
      `  build total ${s(t.buildMs)} = kernel+in-tree modules ${s(t.buildKernelMs)} + nfit_test modules ${s(t.buildModulesMs)}\n` +
      `  boot to first test ${s(t.bootMs)}, to buses ready ${s(busesMs)}, suite ${s(t.suiteMs)}, QEMU total ${s(t.qemuMs)}\n`,
  );
}

export async function benchSimulator(): Promise<void> {
  const log = silentLogger();
  const sharedCache = resolveCacheDir(repoRoot, process.env);
  const tree = await ensureLinuxTree(sharedCache, log);
  const cacheDir =
    process.env.BENCH_FRESH === '1' ? await mkdtemp(path.join(os.tmpdir(), 'daxbot-bench-sim-')) : sharedCache;
  const config = nfitSimSchema.parse({ name: 'nfit-sim', kind: 'nfit-sim', overallTimeout: '30m' });
  const profile = nfitSimProfile(config);
  const hash = configHash(await loadFragments(profile.fragments, repoRoot));
  const cold = !existsSync(path.join(buildDirFor(cacheDir, treeSlug(tree.path), hash), 'vmlinux'));
  const runner = createNfitSimRunner({ config, repoRoot, cacheDir });
  const dirs: string[] = [];
  const work = async (): Promise<string> => {
    const d = await mkdtemp(path.join(os.tmpdir(), 'daxbot-bench-sim-run-'));
    dirs.push(d);
    return d;
  };

  process.stdout.write(
    `tree ${tree.tag}, cache ${cacheDir}, build folder ${cold ? 'empty (full build)' : 'warm (incremental)'}\n`,
  );
  // The base first, so the patched run below measures an incremental one-file rebuild.
  const base = await runner.run({ tree: tree.path, base: tree.tag, workDir: await work() }, { log });
  report(cold ? 'full build + run (base)' : 'base run (build folder was warm)', base);
  const patched = await runner.run(
    { tree: tree.path, base: tree.tag, mbox: benchPatch, workDir: await work() },
    { log },
  );
  report('rebuild after a one-file drivers/nvdimm patch + run', patched);
  // Back to the base: the same file changes back, the figure a baseline after a series costs.
  const again = await runner.run({ tree: tree.path, base: tree.tag, workDir: await work() }, { log });
  report('rebuild back to base + run', again);
  for (const d of dirs) await rm(d, { recursive: true, force: true });
}
