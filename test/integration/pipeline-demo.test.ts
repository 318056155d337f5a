/**
 * The demo for real (heavy: kernel builds and QEMU boots): the demo inbox ingested from its mbox,
 * both series tested by the qemu-pmem runner on the cached linux-6.1 tree, replies in a maildir.
 * Shares the cached tree and build folder (DAXBOT_CACHE_DIR or <repo>/var/cache) with the other
 * heavy tests; the runner serializes builds with flock.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/load.ts';
import { silentLogger } from '../../bot/log.ts';
import { runCycle } from '../../bot/queue/cycle.ts';
import { wirePipeline } from '../../bot/wire.ts';
import { listJobs } from '../../bot/store/jobs.ts';
import { jobRuns } from '../../bot/store/runs.ts';
import { openStore } from '../../bot/store/store.ts';
import { kernelCacheDir as cacheDir, kernelTestsAvailable, repoRoot } from '../helpers/kernel-env.ts';

const available = kernelTestsAvailable();

const dir = mkdtempSync(path.join(tmpdir(), 'daxbot-demo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!available)('pipeline demo with the qemu-pmem runner (heavy)', () => {
  it(
    'clean series passes silently; five-patch series is bisected to patch 3 with the crash',
    async () => {
      const loaded = loadConfig(path.join(repoRoot, 'config', 'demo.yaml'), process.env);
      if (!loaded.ok) throw new Error(loaded.errors.join('; '));
      const config = {
        ...loaded.config,
        cacheDir,
        workDir: path.join(dir, 'work'),
        mail: { ...loaded.config.mail, outbox: path.join(dir, 'outbox') },
        // One run per side keeps this test to the fewest builds; the demo script confirms with a repeat.
        schedule: { ...loaded.config.schedule, confirmRepeats: 0 },
      };
      const store = await openStore(path.join(dir, 'db.sqlite'));
      const deps = wirePipeline({
        config,
        store,
        log: silentLogger(),
        repoRoot,
        env: process.env,
        configDir: path.join(repoRoot, 'config'),
        cwd: repoRoot,
      });
      const t0 = Date.now();
      const report = await runCycle(deps, { since: null });
      const elapsed = Date.now() - t0;
      expect(report.jobs.map((j) => j.exit)).toEqual(['done', 'done']);

      const jobs = await listJobs(store.db, {});
      const clean = jobs.find((j) => j.versionKey.startsWith('cover.1795317600'));
      const bad = jobs.find((j) => j.versionKey.startsWith('cover.1795320939'));
      expect(clean?.outcome).toBe('pass');
      expect(bad?.outcome).toBe('regression');

      const runs = await jobRuns(store.db, bad?.id ?? -1);
      const bisectSteps = runs.filter((r) => r.role === 'bisect');
      expect(bisectSteps.length).toBeGreaterThan(0);
      expect(bisectSteps.length).toBeLessThanOrEqual(4);

      const files = readdirSync(path.join(dir, 'outbox', 'new'));
      expect(files).toHaveLength(1);
      const reply = readFileSync(path.join(dir, 'outbox', 'new', files[0] ?? ''), 'utf8');
      expect(reply).toContain(
        'first bad commit: [PATCH 3/5] ext4: refuse DAX when the journal block size is larger than the fs block',
      );
      // syzkaller's title form for the 6.1 "BUG: kernel NULL pointer dereference, address:" report.
      expect(reply).toMatch(/BUG: (unable to handle )?kernel NULL pointer dereference in\s+ext4_dax_bsize_ok/);
      expect(reply).toMatch(/Call Trace:\r?\n {2,}\S+\+0x[0-9a-f]+\/0x[0-9a-f]+ \(fs\/super\.c:\d+\)/);
      const runMs = [...runs, ...(await jobRuns(store.db, clean?.id ?? -1))].reduce((a, r) => a + r.durationMs, 0);
      process.stderr.write(
        `pipeline demo: ${(elapsed / 1000).toFixed(0)} s wall, ${(runMs / 1000).toFixed(0)} s in series/bisect runs\n`,
      );
      await store.close();
    },
    3 * 3_600_000,
  );
});
