/**
 * Harness benchmark: full build (fresh build folder, warm ccache), rebuild after a one-file
 * patch, boot to first test, suite time, and the runner's own overhead as a ratio to the raw
 * make and QEMU times measured in the same run (goal: at most 10 %).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../../bot/log.ts';
import { toMs } from '../../config/duration.ts';
import { qemuPmemSchema } from '../../runners/qemu-pmem/schema.ts';
import { buildDirFor, buildKernel, sandboxFor } from '../../runners/build/make.ts';
import { runSandboxed } from '../../runners/sandbox/bwrap.ts';
import { configHash, loadFragments } from '../../runners/build/kconfig.ts';
import { daxInitramfs } from '../../runners/guest/dax-initramfs.ts';
import { qemuArgs } from '../../runners/qemu/args.ts';
import { createNvdimmFiles } from '../../runners/qemu/run.ts';
import { createQemuPmemRunner } from '../../runners/qemu-pmem/runner.ts';
import { execCommand } from '../../runners/sandbox/exec.ts';
import { checkoutSlot, slotDirFor, treeSlug } from '../../runners/tree/slot.ts';
import { ensureLinuxTree, resolveCacheDir } from '../../runners/tree/setup.ts';
import type { RunResult } from '../../runners/types.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const s = (ms: number | undefined): string => (ms === undefined ? '-' : `${(ms / 1000).toFixed(1)} s`);

export async function benchHarness(): Promise<void> {
  const log = silentLogger();
  const cacheDir = resolveCacheDir(repoRoot, process.env);
  const tree = await ensureLinuxTree(cacheDir, log);
  const config = qemuPmemSchema.parse({ name: 'qemu-pmem', kind: 'qemu-pmem' });
  const fragments = await loadFragments(config.fragments, repoRoot);
  const hash = configHash(fragments);
  const slot = slotDirFor(cacheDir, tree.path, hash);
  const runner = createQemuPmemRunner({ config, repoRoot, cacheDir });
  const work = await mkdtemp(path.join(os.tmpdir(), 'daxbot-bench-'));
  const lines: string[] = [];
  const report = (l: string): void => {
    lines.push(l);
    process.stdout.write(`${l}\n`);
  };

  // 1. Full build into a fresh build folder (ccache warm from earlier builds: what CI sees).
  // BENCH_SKIP_FULL=1 leaves it out (minutes of compiling) when only the ratios are wanted.
  if (process.env.BENCH_SKIP_FULL !== '1') {
    await checkoutSlot(tree.path, slot, tree.tag);
    const freshDir = path.join(cacheDir, 'build', `bench-fresh-${hash}`);
    await rm(freshDir, { recursive: true, force: true });
    const full = await buildKernel({ source: slot, buildDir: freshDir, fragments, cacheDir, log });
    await rm(freshDir, { recursive: true, force: true });
    // ccache keys include the absolute build folder, so a new folder mostly misses: a full build.
    report(`full build (new O= folder): ${s(full.durationMs)} ok=${full.ok}`);
  }

  // 2. Baseline run through the runner (no-op rebuild + boot + suite).
  // The slot may hold another state (a patch from earlier): the first run rebuilds to the base,
  // the second is the steady state that the raw make and QEMU below are compared with.
  const settle: RunResult = await runner.run(
    { tree: tree.path, base: tree.tag, workDir: path.join(work, 'settle') },
    { log },
  );
  report(`runner baseline, first (rebuild to the base): build ${s(settle.timings.buildMs)} [${settle.failureClass}]`);
  // Steady state, then raw make + raw QEMU, interleaved and repeated (BENCH_REPEATS, default 3):
  // one TCG boot varies by seconds, so the ratio is taken between medians of the same run.
  const repeats = Math.max(1, Number(process.env.BENCH_REPEATS ?? 3));
  // 3. Raw make (same folder, no lock) and raw QEMU (same command line, no sandbox).
  const buildDir = buildDirFor(cacheDir, treeSlug(tree.path), hash);
  const initrd = await daxInitramfs(repoRoot, cacheDir);
  const spec = {
    kernel: path.join(buildDir, 'arch/x86/boot/bzImage'),
    initrd,
    // The runner's guest command line, so both boots run the same guest (its watchdog included).
    append: ['daxbot.suites=dax', `daxbot.test_timeout=${Math.round(toMs(config.testTimeout) / 1000)}`],
    memoryMiB: config.memoryMiB,
    cpus: config.cpus,
    nvdimms: config.nvdimms.map((d, i) => ({ ...d, path: path.join(work, `raw-nv${i}.img`) })),
  };
  const totals: number[] = [];
  const raws: number[] = [];
  let base: RunResult | null = null;
  for (let i = 0; i < repeats; i++) {
    base = await runner.run({ tree: tree.path, base: tree.tag, workDir: path.join(work, `base-${i}`) }, { log });
    report(
      `runner baseline ${i + 1}/${repeats}: total ${s(base.timings.totalMs)}, build ${s(base.timings.buildMs)}, qemu ${s(base.timings.qemuMs)}, boot to first test ${s(base.timings.bootMs)}, suite ${s(base.timings.suiteMs)} [${base.failureClass}]`,
    );
    // The same make in the same sandbox and environment as the runner's (so a no-op stays one),
    // without the runner's bookkeeping: apply, lock, config check, warning record, parsing.
    const rawMake = await runSandboxed(sandboxFor({ source: slot, buildDir, cacheDir }), 'make', [
      '-C',
      slot,
      `O=${buildDir}`,
      `-j${os.availableParallelism()}`,
      'CC=ccache gcc',
      'bzImage',
    ]);
    await createNvdimmFiles(spec);
    const rawQemu = await execCommand('qemu-system-x86_64', qemuArgs(spec), { timeoutMs: 20 * 60_000 });
    report(
      `raw ${i + 1}/${repeats}: no-op make ${s(rawMake.durationMs)}, qemu (boot + suite) ${s(rawQemu.durationMs)}`,
    );
    totals.push(base.timings.totalMs ?? 0);
    raws.push(rawMake.durationMs + rawQemu.durationMs);
  }

  // 4. Rebuild after a one-file patch.
  const one = await runner.run(
    {
      tree: tree.path,
      base: tree.tag,
      mbox: path.join(repoRoot, 'test/fixtures/patches/pmem-one-file.mbox'),
      workDir: path.join(work, 'one'),
    },
    { log },
  );
  report(
    `rebuild after one-file patch: ${s(one.timings.buildMs)} (apply ${s(one.timings.applyMs)}) [${one.failureClass}]`,
  );

  // 5. Overhead: what the runner adds on top of raw make + raw QEMU, medians of the steady state.
  const median = (xs: number[]): number => {
    const v = [...xs].sort((a, b) => a - b);
    return v.length % 2 ? (v[(v.length - 1) / 2] ?? 0) : ((v[v.length / 2 - 1] ?? 0) + (v[v.length / 2] ?? 0)) / 2;
  };
  const raw = median(raws);
  const total = median(totals);
  const overhead = total - raw;
  report(
    `runner overhead (medians of ${repeats}): runner ${s(total)} - raw ${s(raw)} = ${s(overhead)} = ${((100 * overhead) / raw).toFixed(1)} % of raw make + qemu; goal <= 10 %`,
  );
  await rm(work, { recursive: true, force: true });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  benchHarness().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
