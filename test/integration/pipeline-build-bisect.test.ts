/**
 * Every patch builds (heavy: real git, real kernel builds; QEMU for the runtime runs), both halves:
 *
 * - a project-written four-patch series whose patch 2 uses a field struct pmem_device does not
 *   have (test/fixtures/patches/build-break-patch2.mbox; patches 3 and 4 do not fix it): the
 *   kernel does not build with the series, the base does, and build-only bisection steps
 *   (nothing booted) name patch 2: the reply carries the exact `first bad commit:` line and quotes
 *   patch 2's own compiler error;
 * - a four-patch series whose patch 2 counts in a field only patch 3 adds
 *   (test/fixtures/patches/build-break-fixed-patch3.mbox) builds as a whole, so its runtime tests
 *   run as for any series; after them the prefixes 1..3 are built (build only, incremental,
 *   nothing booted) and the one reply, mailed though the runtime verdict is a pass, says the
 *   series is not bisectable, names patch 2 and the patch that fixes it, and quotes patch 2's
 *   compiler error.
 *
 * Both use one runner config, so one build folder; they share the cached tree, baseline-free
 * stores of their own, the ccache and the guest image with the other heavy tests.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listJobs, type JobRow } from '../../bot/store/jobs.ts';
import { jobRuns, type RecordedRun } from '../../bot/store/runs.ts';
import { openStore } from '../../bot/store/store.ts';
import { daxbot } from '../helpers/cli.ts';
import { kernelCacheDir as cacheDir, kernelTestsAvailable, repoRoot } from '../helpers/kernel-env.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function writeConfig(dir: string): string {
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
    // buildEachPatch is the default; said here because it is what these tests are about.
    'schedule: { confirmRepeats: 0, concurrency: 1, incompleteWait: 6h, buildEachPatch: true }',
  ];
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** Ingests the fixture and runs the bot once: the job, its runs and the one reply mailed. */
async function testSeries(fixture: string): Promise<{ jobs: JobRow[]; runs: RecordedRun[]; reply: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'daxbot-build-bisect-'));
  dirs.push(dir);
  const config = writeConfig(dir);
  const db = path.join(dir, 'db.sqlite');
  const mbox = path.join(repoRoot, 'test', 'fixtures', 'patches', fixture);
  for (const args of [
    ['ingest', '--mbox', mbox],
    ['run', '--once', '--since', 'all', '--no-ingest'],
  ]) {
    const r = await daxbot(['--config', config, '--db', db, ...args], { env: { DAXBOT_CACHE_DIR: cacheDir } });
    expect(r.code, r.stderr).toBe(0);
  }
  const store = await openStore(db);
  const jobs = await listJobs(store.db, {});
  const runs = await jobRuns(store.db, jobs[0]?.id ?? -1);
  await store.close();
  // What each step cost (the CI budget's figures): the prefix builds beside the runtime runs.
  const cost = runs.map((r) => `${r.step} ${(r.durationMs / 1000).toFixed(0)} s`).join(', ');
  process.stdout.write(`${fixture}: ${cost}\n`);
  const files = readdirSync(path.join(dir, 'outbox', 'new'));
  expect(files).toHaveLength(1);
  const reply = readFileSync(path.join(dir, 'outbox', 'new', files[0] ?? ''), 'utf8').replace(/\r\n/g, '\n');
  return { jobs, runs, reply };
}

// gcc quotes with ‘’ in a UTF-8 locale and with '' in C; the reply wraps the message.
const noAttachCount =
  /drivers\/nvdimm\/pmem\.c:\d+:\d+: error: ['‘]struct pmem_device['’]\s+has\s+no\s+member\s+named\s+['‘]attach_count['’]/;

describe.skipIf(!kernelTestsAvailable())('every patch builds (heavy)', () => {
  it(
    'a series whose patch 2 breaks the build is bisected with build-only steps to patch 2, whose errors the reply quotes',
    async () => {
      const { jobs, runs, reply } = await testSeries('build-break-patch2.mbox');
      expect(jobs.map((j) => [j.state, j.outcome])).toEqual([['done', 'build-failed']]);
      const bisect = runs.filter((r) => r.role === 'bisect');
      // n = 4: patches 1..2 (bad), then 1..1 (good); neither step boots a guest.
      expect(bisect.map((r) => [r.patchLimit, r.result.build?.ok, r.result.booted])).toEqual([
        [2, false, false],
        [1, true, false],
      ]);
      // The series does not build as a whole: no prefix builds beyond the bisection.
      expect(runs.filter((r) => r.role === 'prefix')).toEqual([]);
      expect(reply).toContain('the kernel does not build with it applied');
      expect(reply).toContain('first bad commit: [PATCH 2/4] nvdimm/pmem: count attaches');
      expect(reply).toMatch(noAttachCount);
    },
    2 * 3_600_000,
  );

  it(
    'a series whose patch 2 breaks the build and patch 3 fixes it runs its tests, then builds each prefix: not bisectable at patch 2',
    async () => {
      const { jobs, runs, reply } = await testSeries('build-break-fixed-patch3.mbox');
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
      expect(reply).toMatch(/the series is\s+not bisectable/);
      expect(reply).toContain('first patch that does not build: [PATCH 2/4] nvdimm/pmem: count attaches');
      expect(reply).toContain('builds again with: [PATCH 3/4] nvdimm/pmem: add the attach counter');
      expect(reply).toMatch(noAttachCount);
    },
    2 * 3_600_000,
  );
});
