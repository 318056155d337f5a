/**
 * fstests bench: the fstests-dax suite's whole `dax` group on ext4 and xfs under TCG, on the 6.1
 * tree (BENCH_TREE=6.12 for the other one): the one-time costs (root filesystem, fstests build,
 * kernel build), boot, then every test's time and outcome per filesystem, and each filesystem's
 * total. The CI test (test/integration/fstests-dax.test.ts) runs a subset chosen from these
 * figures. Prints figures, asserts nothing. `npm run bench -- suites fstests-dax` times the same run
 * beside the other suites.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../../bot/log.ts';
import { qemuPmemSchema } from '../../runners/qemu-pmem/schema.ts';
import { createQemuPmemRunner } from '../../runners/qemu-pmem/runner.ts';
import { ensureLinuxTree, resolveCacheDir } from '../../runners/tree/setup.ts';
import type { RunResult } from '../../runners/types.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const source = path.resolve(repoRoot, '..', 'shared', 'upstream', 'xfstests-63a29724.tar.gz');

const s = (ms: number | undefined): string => (ms === undefined ? 'n/a' : `${(ms / 1000).toFixed(1)} s`);

/** Per filesystem: one line per test (time, outcome, reason), then the sum. */
export function fstestsTable(r: RunResult): string {
  const lines: string[] = [];
  const tests = r.tests.filter((t) => t.suite === 'fstests-dax');
  for (const fs of [...new Set(tests.map((t) => t.name.split('.')[0] ?? ''))]) {
    const mine = tests.filter((t) => t.name.startsWith(`${fs}.`));
    for (const t of mine)
      lines.push(
        `  ${t.name.padEnd(18)} ${s(t.durationMs).padStart(8)}  ${t.status.padEnd(7)} ${(t.reason ?? '').slice(0, 80)}`,
      );
    const sum = mine.reduce((a, t) => a + (t.durationMs ?? 0), 0);
    const count = (st: string): number => mine.filter((t) => t.status === st).length;
    lines.push(
      `  ${fs}: ${mine.length} tests in ${s(sum)} (pass ${count('pass')}, notrun ${count('skip')}, ` +
        `fail ${count('fail')}, other ${mine.length - count('pass') - count('skip') - count('fail')})`,
    );
  }
  return lines.join('\n');
}

export async function benchFstests(): Promise<void> {
  const log = silentLogger();
  const cacheDir = resolveCacheDir(repoRoot, process.env);
  const tree = await ensureLinuxTree(cacheDir, log, process.env.BENCH_TREE === '6.12' ? { name: 'linux-6.12' } : {});
  const config = qemuPmemSchema.parse({
    name: 'qemu-pmem',
    kind: 'qemu-pmem',
    suites: ['fstests-dax'],
    fstestsSource: source,
    testTimeout: '900s',
    bootTimeout: '300s',
    overallTimeout: '150m',
  });
  const runner = createQemuPmemRunner({ config, repoRoot, cacheDir });
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'daxbot-bench-fstests-'));
  const r = await runner.run({ tree: tree.path, base: tree.tag, workDir }, { log });
  const t = r.timings;
  process.stdout.write(
    `tree ${tree.tag}: ${r.failureClass} (${r.summary})\n` +
      `  root filesystem ${s(t.fstestsRootfsMs)} (0 when cached), fstests build ${s(t.fstestsBuildMs)}, ` +
      `kernel build ${s(t.buildMs)}\n` +
      `  boot to first test ${s(t.bootMs)}, suite ${s(t.suiteMs)}, QEMU total ${s(t.qemuMs)}\n` +
      `${fstestsTable(r)}\n`,
  );
  await rm(workDir, { recursive: true, force: true });
}
