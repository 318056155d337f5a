/**
 * Every patch builds (heavy: real git, real kernel builds; QEMU only for the base): a
 * project-written four-patch series whose patch 2 uses a field struct pmem_device does not have
 * (test/fixtures/patches/build-break-patch2.mbox; patches 3 and 4 do not fix it) is ingested and
 * tested by `daxbot run --once`. The kernel does not build with the series, the base does, and
 * build-only bisection steps (nothing booted) name patch 2: the reply carries the exact
 * `first bad commit:` line and quotes patch 2's own compiler error. Shares the cached tree,
 * build folders, baseline and ccache with the other heavy tests.
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

const mbox = path.join(repoRoot, 'test', 'fixtures', 'patches', 'build-break-patch2.mbox');
const dir = mkdtempSync(path.join(tmpdir(), 'daxbot-build-bisect-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeConfig(): string {
  const file = path.join(dir, 'config.yaml');
  const lines = [
    `cacheDir: ${cacheDir}`,
    `workDir: ${path.join(dir, 'work')}`,
    'trees:',
    '  - { name: linux-6.1, branch: HEAD }',
    'runners:',
    '  - { name: qemu-pmem, kind: qemu-pmem, suites: [dax], bootTimeout: 300s, testTimeout: 600s }',
    'mail:',
    `  outbox: ${path.join(dir, 'outbox')}`,
    'schedule: { confirmRepeats: 0, concurrency: 1, incompleteWait: 6h }',
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

describe.skipIf(!kernelTestsAvailable())('a series whose patch 2 breaks the build (heavy)', () => {
  it(
    'is bisected with build-only steps to patch 2, whose errors the reply quotes',
    async () => {
      const config = writeConfig();
      await run(config, ['ingest', '--mbox', mbox]);
      await run(config, ['run', '--once', '--since', 'all', '--no-ingest']);

      const store = await openStore(path.join(dir, 'db.sqlite'));
      const jobs = await listJobs(store.db, {});
      expect(jobs.map((j) => [j.state, j.outcome])).toEqual([['done', 'build-failed']]);
      const bisect = (await jobRuns(store.db, jobs[0]?.id ?? -1)).filter((r) => r.role === 'bisect');
      await store.close();
      // n = 4: patches 1..2 (bad), then 1..1 (good); neither step boots a guest.
      expect(bisect.map((r) => [r.patchLimit, r.result.build?.ok, r.result.booted])).toEqual([
        [2, false, false],
        [1, true, false],
      ]);

      const files = readdirSync(path.join(dir, 'outbox', 'new'));
      expect(files).toHaveLength(1);
      const reply = readFileSync(path.join(dir, 'outbox', 'new', files[0] ?? ''), 'utf8').replace(/\r\n/g, '\n');
      expect(reply).toContain('the kernel does not build with it applied');
      expect(reply).toContain('first bad commit: [PATCH 2/4] nvdimm/pmem: count attaches');
      // gcc quotes with ‘’ in a UTF-8 locale and with '' in C; the reply wraps the message.
      expect(reply).toMatch(
        /drivers\/nvdimm\/pmem\.c:\d+:\d+: error: ['‘]struct pmem_device['’]\s+has\s+no\s+member\s+named\s+['‘]attach_count['’]/,
      );
    },
    2 * 3_600_000,
  );
});
