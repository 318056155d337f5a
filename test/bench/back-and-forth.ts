/**
 * Back-and-forth bench (issue 16): build-only runs of the nfit-sim runner on the 6.1 tree
 * (BENCH_TREE=6.12 for the other one) in the
 * order series, base, series, base (a one-file drivers/nvdimm patch), with the base and series
 * folders warm: first as builds go now (each folder remembers the tree it was built from, so the
 * files git rewrote are aged), then with those records removed before each build (what the
 * shared slot costs without them: every switch recompiles the series' files and relinks).
 * Prints each build's time and the series ccache's hits; asserts nothing.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../../bot/log.ts';
import { configHash, loadFragments } from '../../runners/build/kconfig.ts';
import { buildDirFor } from '../../runners/build/make.ts';
import { ccacheDirs } from '../../runners/build/trust.ts';
import { nfitSimProfile } from '../../runners/nfit-sim/profile.ts';
import { createNfitSimRunner } from '../../runners/nfit-sim/runner.ts';
import { nfitSimSchema } from '../../runners/nfit-sim/schema.ts';
import { ensureLinuxTree, resolveCacheDir } from '../../runners/tree/setup.ts';
import { treeSlug } from '../../runners/tree/slot.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const patch = path.join(repoRoot, 'test', 'fixtures', 'patches', 'nfit-sim-bench-pmem-debug.patch');
const s = (ms: number | undefined): string => (ms === undefined ? 'n/a' : `${(ms / 1000).toFixed(1)} s`);

/** `ccache -s` hit lines of a cache folder, on one line. */
function hits(dir: string): string {
  try {
    const out = execFileSync('ccache', ['-s'], { env: { ...process.env, CCACHE_DIR: dir }, encoding: 'utf8' });
    return out
      .split('\n')
      .filter((l) => /Hits|Misses/.test(l))
      .map((l) => l.trim().replace(/\s+/g, ' '))
      .join('; ');
  } catch {
    return 'n/a';
  }
}

export async function benchBackAndForth(): Promise<void> {
  const log = silentLogger();
  const cacheDir = resolveCacheDir(repoRoot, process.env);
  const tree = await ensureLinuxTree(cacheDir, log, process.env.BENCH_TREE === '6.12' ? { name: 'linux-6.12' } : {});
  const config = nfitSimSchema.parse({ name: 'nfit-sim', kind: 'nfit-sim' });
  const hash = configHash(await loadFragments(nfitSimProfile(config).fragments, repoRoot));
  const baseDir = buildDirFor(cacheDir, treeSlug(tree.path), hash);
  const runner = createNfitSimRunner({ config, repoRoot, cacheDir });
  const work = await mkdtemp(path.join(os.tmpdir(), 'daxbot-bench-bf-'));
  let n = 0;
  const build = async (label: string, series: boolean, forget: boolean): Promise<void> => {
    if (forget) for (const d of [baseDir, `${baseDir}-series`]) rmSync(`${d}.built`, { force: true });
    const workDir = path.join(work, String(n++));
    const r = await runner.run(
      { tree: tree.path, base: tree.tag, workDir, buildOnly: true, ...(series && { mbox: patch }) },
      { log },
    );
    const kernel = r.timings.buildKernelMs;
    // What make compiled (CC lines of the kernel's and the test modules' makes).
    const makeLog = readFileSync(path.join(workDir, 'build.log'), 'utf8');
    const cc = makeLog.split('\n').filter((l) => /^\s+CC( \[M\])?\s/.test(l)).length;
    process.stdout.write(
      `  ${label.padEnd(8)} ${r.build?.ok ? 'ok' : 'FAILED'} build ${s(r.timings.buildMs)} (kernel ${s(kernel)}), ${cc} units compiled\n`,
    );
  };
  process.stdout.write(`tree ${tree.tag}, folders ${path.basename(baseDir)}{,-series}\n`);
  await build('warm-up base', false, false);
  await build('warm-up series', true, false);
  for (const forget of [false, true]) {
    process.stdout.write(forget ? 'without the built-tree records:\n' : 'as builds go now:\n');
    for (const series of [true, false, true, false]) await build(series ? 'series' : 'base', series, forget);
  }
  const seriesCache = ccacheDirs(cacheDir, `${baseDir}-series`).series;
  process.stdout.write(`series ccache (${readdirSync(seriesCache).length} entries): ${hits(seriesCache)}\n`);
  await rm(work, { recursive: true, force: true });
}
