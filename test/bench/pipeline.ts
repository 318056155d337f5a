/**
 * The five-patch demo end to end, cold (fresh store: base and series runs, bisection) and warm
 * (a re-run on the same store: the base comes from the baseline cache, the build folder and
 * ccache are warm), and the bot's own overhead: wall time minus the time spent inside the
 * runner (build + QEMU), as a ratio of the latter. Goal: at most 5 %.
 * With BENCH_SCRIPTED=1 (or without QEMU) runs are scripted (2 s each) to measure overhead only.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../config/load.ts';
import { runCycle, processQueue } from '../../bot/queue/cycle.ts';
import { enqueueRerun } from '../../bot/queue/enqueue.ts';
import { wireRepoPipeline } from '../helpers/kernel-env.ts';
import { openStore } from '../../bot/store/store.ts';
import { resolveCacheDir } from '../../runners/tree/setup.ts';
import type { Runner } from '../../runners/types.ts';
import { hasBinary as has } from '../helpers/servers/binaries.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Wraps a runner to add up the time spent inside it. */
function timed(inner: Runner, total: { ms: number; runs: number }): Runner {
  return {
    name: inner.name,
    description: inner.description,
    async run(req, ctx) {
      const t = performance.now();
      try {
        return await inner.run(req, ctx);
      } finally {
        total.ms += performance.now() - t;
        total.runs++;
      }
    },
  };
}

export async function benchPipeline(): Promise<void> {
  const scripted = process.env.BENCH_SCRIPTED === '1' || !has('qemu-system-x86_64');
  const loaded = loadConfig(path.join(repoRoot, 'config', 'demo.yaml'), process.env);
  if (!loaded.ok) throw new Error(loaded.errors.join('; '));
  const dir = mkdtempSync(path.join(tmpdir(), 'daxbot-bench-'));
  const config = {
    ...loaded.config,
    cacheDir: resolveCacheDir(repoRoot, process.env),
    workDir: path.join(dir, 'work'),
    mail: { ...loaded.config.mail, outbox: path.join(dir, 'outbox') },
  };
  const store = await openStore(path.join(dir, 'db.sqlite'));
  const inRunner = { ms: 0, runs: 0 };
  const deps = wireRepoPipeline(config, store, {
    ...(scripted && { script: { delayMs: 2000, badPatch: 3, baseCrashes: false } }),
  });
  const real = deps.runnerFor;
  deps.runnerFor = (rc) => timed(real(rc), inRunner);
  const line = (label: string, wallMs: number): void => {
    const overhead = wallMs - inRunner.ms;
    process.stdout.write(
      `${label}: ${(wallMs / 1000).toFixed(1)} s wall, ${inRunner.runs} runs, ${(inRunner.ms / 1000).toFixed(1)} s in build+QEMU, ` +
        `bot overhead ${(overhead / 1000).toFixed(2)} s = ${((overhead / Math.max(1, inRunner.ms)) * 100).toFixed(2)} %${scripted ? ' (scripted runs)' : ''}\n`,
    );
  };
  try {
    let t = performance.now();
    await runCycle(deps, { since: null });
    line('cold (fresh store, both demo series)', performance.now() - t);
    const bad = await store.db
      .selectFrom('series_versions')
      .select('version_key')
      .where('present', '=', 5)
      .executeTakeFirstOrThrow();
    inRunner.ms = 0;
    inRunner.runs = 0;
    await enqueueRerun(store, config, bad.version_key, { requestedBy: 'bench' }, new Date());
    t = performance.now();
    await processQueue(deps);
    line('warm (re-run of the five-patch series, base cached)', performance.now() - t);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
