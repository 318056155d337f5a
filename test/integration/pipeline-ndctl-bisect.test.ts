/**
 * A kernel series that breaks one of ndctl's own tests, caught and bisected through the pipeline
 * (heavy: real ndctl v81 from ../shared/upstream/ndctl.bundle, kernel builds, QEMU). The series
 * (test/fixtures/patches/nvdimm-mode-fsdax-series.mbox, project-written) has three patches to the
 * namespace "mode" attribute of drivers/nvdimm; patch 2 renames the "memory" value that ndctl
 * reads as fsdax, so ndctl's create.sh and libndctl fail on nfit_test. `daxbot ingest --mbox` and
 * `daxbot run --once` test it on the cached linux-6.1 tree with the nfit-sim runner configured
 * with the real ndctl (a CI subset of its tests): the base passes, the series fails, and the
 * reply names patch 2 as the first bad commit. The tests the base fails too stay pre-existing.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listJobs } from '../../bot/store/jobs.ts';
import { jobRuns } from '../../bot/store/runs.ts';
import { openStore } from '../../bot/store/store.ts';
import { daxbotWith } from '../helpers/cli.ts';
import { kernelCacheDir, repoRoot } from '../helpers/kernel-env.ts';
import { debianTree, ndctlCheckout, realNdctlAvailable } from '../helpers/ndctl-env.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'daxbot-ndctl-bisect-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const series = path.join(repoRoot, 'test', 'fixtures', 'patches', 'nvdimm-mode-fsdax-series.mbox');

/**
 * The tests the bisection runs: both read the namespace mode string the series renames (create.sh
 * through `ndctl list`'s JSON, libndctl through ndctl_namespace_get_mode(), which knows "memory"
 * and not "fsdax"), so both fail from patch 2 on (measured: both pass on the base and patch 1).
 */
const TESTS = ['libndctl', 'create.sh'];

function writeConfig(ndctl: string): string {
  const file = path.join(dir, 'config.yaml');
  writeFileSync(
    file,
    [
      `cacheDir: ${kernelCacheDir}`,
      `workDir: ${path.join(dir, 'work')}`,
      'trees:',
      '  - { name: linux-6.1, branch: HEAD, lists: [nvdimm.lists.linux.dev] }',
      'runners:',
      '  - name: nfit-sim',
      '    kind: nfit-sim',
      '    suites: [ndctl-meson]',
      `    ndctlSource: ${ndctl}`,
      '    ndctlSuites: [ndctl, dax]',
      `    ndctlTests: [${TESTS.join(', ')}]`,
      '    bootTimeout: 300s',
      '    testTimeout: 660s',
      '    overallTimeout: 60m',
      'mail:',
      '  from: "daxbot <daxbot@localhost>"',
      '  domain: daxbot.localhost',
      `  outbox: ${path.join(dir, 'outbox')}`,
      // One run per side: the failure is deterministic, and this keeps to four guest runs.
      'schedule: { confirmRepeats: 0, concurrency: 1, incompleteWait: 6h }',
      '',
    ].join('\n'),
  );
  return file;
}

/** `daxbot --config ... --db ... ARGS`; a failing command fails the test. */
const run = (config: string, args: string[]): Promise<string> =>
  daxbotWith(config, path.join(dir, 'db.sqlite'), kernelCacheDir, args);

describe.skipIf(!realNdctlAvailable())('a kernel series that breaks an ndctl test (real ndctl v81, heavy)', () => {
  it(
    'is caught by ndctl create.sh on nfit_test and bisected to patch 2 of 3',
    async () => {
      await debianTree('6.1');
      const config = writeConfig(await ndctlCheckout());
      const t0 = Date.now();
      await run(config, ['ingest', '--mbox', series]);
      const out = await run(config, ['run', '--once', '--since', 'all', '--no-ingest']);
      const elapsed = Date.now() - t0;
      expect(out).toMatch(/1 new job\(s\), 1 processed/);

      const store = await openStore(path.join(dir, 'db.sqlite'));
      const jobs = await listJobs(store.db, {});
      expect(jobs.map((j) => [j.runner, j.state, j.outcome])).toEqual([['nfit-sim', 'done', 'regression']]);
      const runs = await jobRuns(store.db, jobs[0]?.id ?? -1);
      await store.close();
      // The base, the series, and the bisection steps (each a build and a guest run).
      expect(runs.filter((r) => r.role === 'bisect').length).toBeGreaterThanOrEqual(1);

      const files = readdirSync(path.join(dir, 'outbox', 'new'));
      expect(files).toHaveLength(1);
      const reply = readFileSync(path.join(dir, 'outbox', 'new', files[0] ?? ''), 'utf8').replace(/\r\n/g, '\n');
      expect(reply).toContain('Subject: Re: [PATCH 0/3] nvdimm: the namespace mode attribute');
      expect(reply).toContain(
        'first bad commit: [PATCH 2/3] nvdimm: name the pfn personality "fsdax" in the namespace mode attribute',
      );
      // The failing tests by their meson names, each with the reason line from its own output.
      const prose = reply.replace(/\s+/g, ' ');
      expect(prose).toMatch(/ndctl\/create\.sh pass FAIL NEW FAILURE/);
      expect(prose).toMatch(/ndctl\/libndctl pass FAIL NEW FAILURE/);
      expect(prose).toMatch(/Failure: ndctl\/create\.sh \(exit status 1: fail: \d+\)/);
      process.stderr.write(`pipeline ndctl bisect: ${(elapsed / 1000).toFixed(0)} s wall (ingest + run --once)\n`);
    },
    3 * 3_600_000,
  );
});
