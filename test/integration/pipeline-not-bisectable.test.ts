/**
 * Every patch builds, the other half (heavy: real git, real kernel builds, real QEMU): a
 * project-written four-patch series whose patch 2 counts in a field that only patch 3 adds
 * (test/fixtures/patches/build-break-fixed-patch3.mbox) builds as a whole, so its runtime tests
 * run as for any series; after them the prefixes 1..3 are built (build only, incremental on the
 * series' build folder, nothing booted) and the one reply, mailed though the runtime verdict is a
 * pass, says the series is not bisectable, names patch 2 and the patch that fixes it, and quotes
 * patch 2's compiler error. Shares the tree, the runner config (so the build folder), the
 * ccache and the guest image with pipeline-build-bisect and the other heavy tests.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listJobs } from '../../bot/store/jobs.ts';
import { jobRuns } from '../../bot/store/runs.ts';
import { openStore } from '../../bot/store/store.ts';
import { daxbot } from '../helpers/cli.ts';
import { kernelCacheDir as cacheDir, kernelTestsAvailable, repoRoot } from '../helpers/kernel-env.ts';

const mbox = path.join(repoRoot, 'test', 'fixtures', 'patches', 'build-break-fixed-patch3.mbox');
const dir = mkdtempSync(path.join(tmpdir(), 'daxbot-not-bisectable-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeConfig(): string {
  const file = path.join(dir, 'config.yaml');
  const lines = [
    `cacheDir: ${cacheDir}`,
    `workDir: ${path.join(dir, 'work')}`,
    'trees:',
    '  - { name: linux-6.1, branch: HEAD }',
    'runners:',
    // The runner of pipeline-build-bisect: the same build folder, so nothing builds cold.
    '  - { name: qemu-pmem, kind: qemu-pmem, suites: [dax], bootTimeout: 300s, testTimeout: 600s }',
    'mail:',
    `  outbox: ${path.join(dir, 'outbox')}`,
    // buildEachPatch is the default; said here because it is what the test is about.
    'schedule: { confirmRepeats: 0, concurrency: 1, incompleteWait: 6h, buildEachPatch: true }',
  ];
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

async function run(config: string, args: string[]): Promise<string> {
  const r = await daxbot(['--config', config, '--db', path.join(dir, 'db.sqlite'), ...args], {
    env: { DAXBOT_CACHE_DIR: cacheDir },
  });
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

describe.skipIf(!kernelTestsAvailable())('a series whose patch 2 breaks the build and patch 3 fixes it (heavy)', () => {
  it(
    'runs its tests, then builds each prefix, and the reply says it is not bisectable at patch 2',
    async () => {
      const config = writeConfig();
      await run(config, ['ingest', '--mbox', mbox]);
      await run(config, ['run', '--once', '--since', 'all', '--no-ingest']);

      const store = await openStore(path.join(dir, 'db.sqlite'));
      const jobs = await listJobs(store.db, {});
      const runs = await jobRuns(store.db, jobs[0]?.id ?? -1);
      await store.close();
      expect(jobs.map((j) => j.state)).toEqual(['done']);
      // The whole series' runtime tests ran, in a booted guest.
      const series = runs.filter((r) => r.role === 'series');
      expect(series.map((r) => [r.result.build?.ok, r.result.booted])).toEqual([[true, true]]);
      expect(series[0]?.result.tests.filter((t) => t.suite === 'dax').length).toBeGreaterThan(0);
      // Then the prefixes, in order, build only: 1 builds, 2 does not, 3 builds again (4 = all).
      const prefixes = runs.filter((r) => r.role === 'prefix');
      expect(prefixes.map((r) => [r.patchLimit, r.result.build?.ok, r.result.booted])).toEqual([
        [1, true, false],
        [2, false, false],
        [3, true, false],
      ]);

      const files = readdirSync(path.join(dir, 'outbox', 'new'));
      expect(files).toHaveLength(1);
      const reply = readFileSync(path.join(dir, 'outbox', 'new', files[0] ?? ''), 'utf8').replace(/\r\n/g, '\n');
      expect(reply).toMatch(/the series is\s+not bisectable/);
      expect(reply).toContain('first patch that does not build: [PATCH 2/4] nvdimm/pmem: count attaches');
      expect(reply).toContain('builds again with: [PATCH 3/4] nvdimm/pmem: add the attach counter');
      // gcc quotes with ‘’ in a UTF-8 locale and with '' in C; the reply wraps the message.
      expect(reply).toMatch(
        /drivers\/nvdimm\/pmem\.c:\d+:\d+: error: ['‘]struct pmem_device['’]\s+has\s+no\s+member\s+named\s+['‘]attach_count['’]/,
      );
    },
    2 * 3_600_000,
  );
});
