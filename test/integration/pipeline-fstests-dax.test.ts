/**
 * fstests on DAX for real (heavy: debootstrap once, the fstests build once, kernel builds, QEMU):
 * a project-written two-patch series whose patch 2 makes every DAX read return its first byte as
 * zero (test/fixtures/patches/fsdax-read-corruption.mbox) is ingested with `daxbot ingest --mbox`
 * and tested by `daxbot run --once` with the qemu-pmem runner configured with
 * `suites: [dax, fstests-dax]` and fstests from ../shared/upstream/ (its real `check`, its xunit
 * report read back from the guest). On the base the chosen fstests pass on ext4 and xfs mounted
 * with dax=always; with the series generic/608 fails on both, the reply names it, quotes the
 * .out.bad diff, and bisects to patch 2.
 * CI runs a subset of the dax group (FSTESTS_CI_TESTS); `npm run bench -- fstests` runs all of it.
 * Shares the cached tree, root filesystem, fstests build, build folders and ccache with the other
 * heavy tests (DAXBOT_CACHE_DIR, as scripts/test.sh sets it).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listJobs } from '../../bot/store/jobs.ts';
import { openStore } from '../../bot/store/store.ts';
import { daxbotWith } from '../helpers/cli.ts';
import { hasBinary } from '../helpers/servers/binaries.ts';
import { kernelCacheDir as cacheDir, kernelTestsAvailable, repoRoot } from '../helpers/kernel-env.ts';

const source = path.resolve(repoRoot, '..', 'shared', 'upstream', 'xfstests-63a29724.tar.gz');
const mbox = path.join(repoRoot, 'test', 'fixtures', 'patches', 'fsdax-read-corruption.mbox');
/**
 * The CI subset of the dax group, chosen from the bench's per-test times under TCG: generic/608
 * passes on 6.1's base with dax=always on both filesystems, reads a DAX file back, and takes about
 * 30-40 s a filesystem (a boot with the subset adds about 3 minutes to the dax suite's).
 */
export const FSTESTS_CI_TESTS = ['generic/608'];

const available = kernelTestsAvailable(['debootstrap', 'qemu-img', 'mkfs.xfs']) && existsSync(source);

const dir = mkdtempSync(path.join(tmpdir(), 'daxbot-fstests-dax-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeConfig(): string {
  const file = path.join(dir, 'config.yaml');
  writeFileSync(
    file,
    [
      `cacheDir: ${cacheDir}`,
      `workDir: ${path.join(dir, 'work')}`,
      'trees:',
      '  - { name: linux-6.1, branch: HEAD }',
      'runners:',
      '  - name: qemu-pmem',
      '    kind: qemu-pmem',
      '    suites: [dax, fstests-dax]',
      `    fstestsSource: ${source}`,
      `    fstestsTests: [${FSTESTS_CI_TESTS.join(', ')}]`,
      '    bootTimeout: 300s',
      '    testTimeout: 600s',
      '    overallTimeout: 60m',
      'mail:',
      '  from: "daxbot <daxbot@localhost>"',
      '  domain: daxbot.localhost',
      `  outbox: ${path.join(dir, 'outbox')}`,
      // One run per side: the base, the series, and the bisection step.
      'schedule: { confirmRepeats: 0, concurrency: 1, incompleteWait: 6h }',
      '',
    ].join('\n'),
  );
  return file;
}

/** `daxbot --config ... --db ... ARGS`; a failing command fails the test. */
const run = (config: string, args: string[]): Promise<string> =>
  daxbotWith(config, path.join(dir, 'db.sqlite'), cacheDir, args);

describe.skipIf(!available || !hasBinary('bwrap'))('fstests-dax through the pipeline (heavy)', () => {
  it(
    'a series that corrupts DAX reads fails generic/608 on ext4 and xfs; the reply shows the diff and bisects',
    async () => {
      const config = writeConfig();
      const t0 = Date.now();
      await run(config, ['ingest', '--mbox', mbox]);
      const out = await run(config, ['run', '--once', '--since', 'all', '--no-ingest']);
      const elapsed = Date.now() - t0;
      expect(out).toMatch(/1 reply sent in total/);

      const store = await openStore(path.join(dir, 'db.sqlite'));
      const jobs = await listJobs(store.db, {});
      expect(jobs.map((j) => [j.runner, j.state, j.outcome])).toEqual([['qemu-pmem', 'done', 'regression']]);
      await store.close();

      const files = readdirSync(path.join(dir, 'outbox', 'new'));
      expect(files).toHaveLength(1);
      const reply = readFileSync(path.join(dir, 'outbox', 'new', files[0] ?? ''), 'utf8').replace(/\r\n/g, '\n');
      expect(reply).toContain('Subject: Re: [PATCH 0/2] fsdax: fail reads of poisoned media early');
      // The base passed with dax=always on both filesystems; the series fails the named test.
      for (const fs of ['ext4', 'xfs'])
        expect(reply).toMatch(new RegExp(`fstests-dax/${fs}\\.generic/608 +pass +FAIL +NEW FAILURE`));
      expect(reply).toMatch(/Failure: fstests-dax\/xfs\.generic\/608 \(output mismatch \(see\s+\S*608\.out\.bad\)\)/);
      expect(reply).toContain('  | +Buffered data is lost');
      expect(reply).toContain('  | @@ ');
      expect(reply).toContain(
        'first bad commit: [PATCH 2/2] fsdax: probe for poison before copying a read to user space',
      );
      process.stderr.write(`pipeline fstests-dax: ${(elapsed / 1000).toFixed(0)} s wall (ingest + run --once)\n`);
    },
    3 * 3_600_000,
  );
});
