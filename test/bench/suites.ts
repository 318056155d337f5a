/**
 * suites bench (issue 13, must-show 6): the time of each suite per run under TCG, beside the
 * kernel build and the boot of the same run, on the 6.1 tree (BENCH_TREE=6.12 for the other one)
 * with the shared caches. `npm run bench -- suites [name...]` runs the named suites (all when
 * none): dax and fstests-dax on qemu-pmem, the nfit-sim smoke suite and ndctl's meson suites on
 * nfit_test, the cxl-sim smoke suite and ndctl's cxl suite on cxl_test. Each is one base run of
 * its runner; every figure is read from the run (RunResult.timings, the tests' own durations),
 * none is guessed. The build is incremental when the runner's build folder holds a build (cold
 * when it is empty, as the line says). Prints figures, asserts nothing.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../bot/log.ts';
import { configHash, loadFragments } from '../../runners/build/kconfig.ts';
import { buildDirFor } from '../../runners/build/make.ts';
import { createRunner, runnerConfigSchema, runnerProfile } from '../../runners/registry.ts';
import type { RunnerConfig } from '../../runners/schema.ts';
import { treeSlug } from '../../runners/tree/slot.ts';
import type { RunResult } from '../../runners/types.ts';
import { kernelCacheDir, repoRoot } from '../helpers/kernel-env.ts';
import { debianTree, ndctlCheckout } from '../helpers/ndctl-env.ts';

const fstestsSource = path.resolve(repoRoot, '..', 'shared', 'upstream', 'xfstests-63a29724.tar.gz');
const slow = { bootTimeout: '300s', testTimeout: '900s', overallTimeout: '150m' };

/** A suite of the bench: the runner config that runs it alone (async: ndctl's checkout). */
const suites: Record<string, () => Promise<Record<string, unknown>>> = {
  dax: async () => ({ name: 'qemu-pmem', kind: 'qemu-pmem', suites: ['dax'], ...slow }),
  'fstests-dax': async () => ({
    name: 'qemu-pmem',
    kind: 'qemu-pmem',
    suites: ['fstests-dax'],
    fstestsSource,
    ...slow,
  }),
  'nfit-sim': async () => ({ name: 'nfit-sim', kind: 'nfit-sim', suites: ['nfit-sim'], ...slow }),
  ndctl: async () => ({
    name: 'nfit-sim',
    kind: 'nfit-sim',
    suites: ['ndctl-meson'],
    ndctlSource: await ndctlCheckout(),
    ndctlSuites: ['ndctl', 'dax'],
    ...slow,
    testTimeout: '660s',
  }),
  'cxl-sim': async () => ({ name: 'cxl-sim', kind: 'cxl-sim', suites: ['cxl-sim'], ...slow }),
  cxl: async () => ({
    name: 'cxl-sim',
    kind: 'cxl-sim',
    suites: ['cxl-meson'],
    ndctlSource: await ndctlCheckout(),
    ndctlSuites: ['cxl'],
    ...slow,
    testTimeout: '660s',
  }),
};

const s = (ms: number | undefined): string => (ms === undefined ? 'n/a' : `${(ms / 1000).toFixed(1)} s`);
const out = (line: string): boolean => process.stdout.write(`${line}\n`);

/** One line of figures for one suite's run, and its tests by outcome. */
function report(name: string, r: RunResult, buildFolder: string, wallMs: number): void {
  const t = r.timings;
  const tests = r.tests.filter((x) => !x.name.startsWith('module-'));
  const by = (st: string): number => tests.filter((x) => x.status === st).length;
  const summed = tests.reduce((a, x) => a + (x.durationMs ?? 0), 0);
  out(
    `${name.padEnd(12)} suite ${s(t.suiteMs).padStart(8)}  build ${s(t.buildMs).padStart(8)} (${buildFolder})  ` +
      `boot ${s(t.bootMs).padStart(7)}  QEMU ${s(t.qemuMs).padStart(8)}  run ${s(t.totalMs)} (wall ${s(wallMs)})`,
  );
  out(
    `${''.padEnd(12)} ${tests.length} tests (${by('pass')} pass, ${by('skip')} skip, ${by('fail')} fail, ` +
      `${by('error')} error), their own durations sum to ${s(summed)}; ${r.failureClass}: ${r.summary}`,
  );
}

/** Whether the runner's build folder for this tree already holds a build. */
async function buildFolderState(config: RunnerConfig, tree: string): Promise<string> {
  const hash = configHash(await loadFragments(runnerProfile(config).fragments, repoRoot));
  const warm = existsSync(path.join(buildDirFor(kernelCacheDir, treeSlug(tree), hash), 'vmlinux'));
  return warm ? 'incremental' : 'cold';
}

export async function benchSuites(args: readonly string[] = []): Promise<void> {
  const names = args.length > 0 ? args : Object.keys(suites);
  const unknown = names.filter((n) => !(n in suites));
  if (unknown.length > 0) throw new Error(`unknown suite(s) ${unknown.join(', ')}; known: ${Object.keys(suites)}`);
  const tree = await debianTree(process.env.BENCH_TREE ?? '6.1');
  out(`tree ${tree.tag}, cache ${kernelCacheDir}; each suite is one base run of its runner`);
  const log = silentLogger();
  for (const name of names) {
    const make = suites[name];
    if (!make) continue;
    const config = runnerConfigSchema().parse(await make());
    const buildFolder = await buildFolderState(config, tree.path);
    const workDir = await mkdtemp(path.join(os.tmpdir(), `daxbot-bench-suites-${name}-`));
    const t0 = Date.now();
    const runner = createRunner(config, { repoRoot, cacheDir: kernelCacheDir });
    const r = await runner.run({ tree: tree.path, base: tree.tag, workDir }, { log });
    report(name, r, buildFolder, Date.now() - t0);
    await rm(workDir, { recursive: true, force: true });
  }
}
