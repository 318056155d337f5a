/**
 * ndctl's real meson suites on nfit_test (heavy): ndctl v81, checked out from
 * ../shared/upstream/ndctl.bundle into the kernel cache, built in the cached Debian root
 * filesystem, and `meson test` of its `ndctl` and `dax` suites in the guest against the nfit_test
 * modules built from the 6.1 and the 6.12 tree. CI runs a representative subset
 * (CI_NDCTL_TESTS; the full suites are `npm run bench -- ndctl`). Every test's result is read
 * from meson's own testlog.json, which the guest writes to a raw results disk. Everything is
 * cached under DAXBOT_CACHE_DIR, so a second run only boots and tests.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../bot/log.ts';
import { createNfitSimRunner } from '../../runners/nfit-sim/runner.ts';
import { parseTestlog, readNdctlTestlog } from '../../runners/nfit-sim/ndctl-testlog.ts';
import type { RunResult, TestResult } from '../../runners/types.ts';
import { kernelCacheDir, repoRoot } from '../helpers/kernel-env.ts';
import {
  CI_NDCTL_TESTS,
  debianTree,
  ndctlCheckout,
  realNdctlAvailable,
  realNdctlRunner,
} from '../helpers/ndctl-env.ts';

const explain = async (r: RunResult): Promise<string> =>
  `${r.failureClass}: ${r.summary}\n${JSON.stringify(
    r.tests.filter((t) => t.status !== 'pass'),
    null,
    1,
  )}\n${r.consoleLog && existsSync(r.consoleLog) ? (await readFile(r.consoleLog, 'utf8')).slice(-6000) : ''}`;

const ndctlTests = (r: RunResult): TestResult[] => r.tests.filter((t) => t.suite === 'ndctl' || t.suite === 'dax');

for (const series of ['6.1', '6.12']) {
  describe.skipIf(!realNdctlAvailable(series))(`ndctl v81's meson suites on nfit_test, linux ${series}`, () => {
    it(
      "runs the CI subset in the guest and reads every test's result from meson's testlog.json",
      async () => {
        const tree = await debianTree(series);
        const config = realNdctlRunner(await ndctlCheckout(), { ndctlTests: CI_NDCTL_TESTS });
        const workDir = await mkdtemp(path.join(os.tmpdir(), `daxbot-ndctl-${series}-`));
        const r = await createNfitSimRunner({ config, repoRoot, cacheDir: kernelCacheDir }).run(
          { tree: tree.path, base: tree.tag, workDir },
          { log: silentLogger() },
        );
        // Cold and warm figures for the report (debootstrap, ndctl build, kernel build, boot, suite).
        console.log(`ndctl ${series} timings: ${JSON.stringify(r.timings)}`);
        expect(r.build?.ok, JSON.stringify(r.build?.errors)).toBe(true);
        expect(r.booted, await explain(r)).toBe(true);
        expect(r.findings, await explain(r)).toEqual([]);

        // The guest copied testlog.json out, and the run's results are exactly its tests.
        const testlog = await readNdctlTestlog(path.join(workDir, 'ndctl-disks', 'results.raw'));
        expect(testlog, await explain(r)).not.toBeNull();
        const fromFile = parseTestlog(testlog ?? '');
        expect(fromFile.map((t) => t.name).sort()).toEqual([...CI_NDCTL_TESTS].sort());
        expect(ndctlTests(r)).toEqual(fromFile);
        for (const t of ndctlTests(r)) expect(t.durationMs).toBeGreaterThan(0);

        // What these tests do on nfit_test with both trees (measured; see the README).
        for (const name of CI_NDCTL_TESTS)
          expect(
            ndctlTests(r).find((t) => t.name === name),
            await explain(r),
          ).toMatchObject({ status: 'pass' });
        expect(r.failureClass, await explain(r)).toBe('none');
        // The modules were loaded from the initramfs and the buses came up before meson ran.
        expect(r.tests.find((t) => t.name === 'module-nfit_test')).toMatchObject({ status: 'pass' });
        expect(r.tests.find((t) => t.name === 'buses')).toMatchObject({ status: 'pass' });
      },
      120 * 60_000,
    );
  });
}
