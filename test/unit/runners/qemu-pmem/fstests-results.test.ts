/**
 * The fstests-dax results from a real guest run (test/fixtures/fstests/corrupt-reads: the 6.1
 * kernel with test/fixtures/patches/fsdax-read-corruption.mbox applied, `suites: [dax,
 * fstests-dax]`, generic/606 and 608 on ext4 and xfs): its console log and the tar the guest
 * wrote onto the results disk. The same console cut short stands for a guest that died before
 * the report came out.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readTarEntries } from '../../../../runners/guest/disks.ts';
import { fstestsResults, kernelLinesDuring, resultsBytes } from '../../../../runners/qemu-pmem/fstests-results.ts';
import { expectGolden } from '../../../helpers/golden.ts';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'fixtures', 'fstests');
const consoleLog = readFileSync(path.join(dir, 'corrupt-reads', 'console.txt'), 'utf8');
const files = readTarEntries(readFileSync(path.join(dir, 'corrupt-reads', 'results.tar')));
const stop = { killed: null, lastTest: 'xfs.generic/608', lastTestFinished: true };

describe('fstestsResults on the whole dax group (6.1 base, ext4 and xfs, dax=always)', () => {
  it("reads every test of both filesystems with fstests' notrun reasons", () => {
    const base = path.join(dir, 'base-dax-group');
    const log = readFileSync(path.join(base, 'console.txt'), 'utf8');
    const results = fstestsResults({
      consoleLog: log,
      files: readTarEntries(readFileSync(path.join(base, 'results.tar'))),
      filesystems: ['ext4', 'xfs'],
      stop: { killed: null, lastTest: 'xfs.xfs/552', lastTestFinished: true },
      durations: {},
    });
    expect(results).toHaveLength(14 + 14);
    const count = (s: string): number => results.filter((t) => t.status === s).length;
    expect([count('pass'), count('skip'), count('fail')]).toEqual([19, 7, 2]);
    expectGolden('fstests/base-dax-group', results);
  });
});

describe('fstestsResults on a real run', () => {
  it('reads the xunit reports: passes, and the failure with its diff and kernel log', () => {
    expect(resultsBytes(consoleLog)).toBe(22016);
    const results = fstestsResults({ consoleLog, files, filesystems: ['ext4', 'xfs'], stop, durations: {} });
    expect(results.map((t) => [t.name, t.status, t.reason ?? null])).toEqual([
      ['ext4.generic/606', 'pass', null],
      ['ext4.generic/608', 'fail', 'output mismatch (see /results/ext4/generic/608.out.bad)'],
      ['xfs.generic/606', 'pass', null],
      ['xfs.generic/608', 'fail', 'output mismatch (see /results/xfs/generic/608.out.bad)'],
    ]);
    const xfs608 = results[3]?.excerpt?.split('\n') ?? [];
    expect(xfs608.slice(0, 7)).toEqual([
      '--- tests/generic/608.out',
      '+++ /results/xfs/generic/608.out.bad',
      '@@ -1,2 +1,4 @@',
      ' QA output created by 608',
      '+Buffered data is lost',
      '+Buffered data is lost',
      ' Silence is golden',
    ]);
    // The kernel log is the test's own: nothing from after its result line (the next mkfs, the teardown).
    expect(xfs608.slice(8).some((l) => /608 \(\d+\): drop_caches/.test(l))).toBe(true);
    expect(xfs608.join('\n')).not.toMatch(/vd[ab]/);
    expectGolden('fstests/corrupt-reads', results);
  });

  it('prefers the host-measured duration of a test to check’s whole seconds', () => {
    const results = fstestsResults({
      consoleLog,
      files,
      filesystems: ['xfs'],
      stop,
      durations: { 'xfs.generic/606': 40_840 },
    });
    expect(results.map((t) => [t.name, t.durationMs])).toEqual([
      ['xfs.generic/606', 40_840],
      ['xfs.generic/608', 40_000],
    ]);
  });

  it('reads the console when the guest died before the report: the running test has no result', () => {
    const cut = consoleLog.slice(0, consoleLog.indexOf('DAXBOT: test-start xfs.generic/608') + 200);
    const results = fstestsResults({
      consoleLog: cut,
      files: [],
      filesystems: ['ext4', 'xfs'],
      stop: {
        killed: 'test-timeout',
        killNote: 'test-timeout: test xfs.generic/608 gave no result for 900 s',
        lastTest: 'xfs.generic/608',
        lastTestFinished: false,
      },
      durations: {},
    });
    expect(results.map((t) => [t.name, t.status, t.reason ?? null])).toEqual([
      ['ext4.generic/606', 'pass', null],
      ['ext4.generic/608', 'fail', 'failed (no xunit report: the guest stopped before it was copied out)'],
      ['xfs.generic/606', 'pass', null],
      ['xfs.generic/608', 'timeout', 'no result: test-timeout: test xfs.generic/608 gave no result for 900 s'],
    ]);
  });

  it('says so when the suite never started, could not be set up, or its report is not XML', () => {
    const none = fstestsResults({ consoleLog: 'DAXBOT: init\n', files: [], filesystems: ['xfs'], stop, durations: {} });
    expect(none.map((t) => [t.name, t.status])).toEqual([['fstests-dax', 'error']]);
    const setup = [
      'DAXBOT: suite-begin fstests-dax',
      '# DAXBOT-FSTESTS-ERROR cannot make two fsdax namespaces on region0: ndctl init-labels nmem0 failed',
      'DAXBOT: suite-end fstests-dax',
    ].join('\n');
    expect(fstestsResults({ consoleLog: setup, files: [], filesystems: ['xfs'], stop, durations: {} })).toEqual([
      {
        suite: 'fstests-dax',
        name: 'setup',
        status: 'error',
        reason: 'cannot make two fsdax namespaces on region0: ndctl init-labels nmem0 failed',
      },
    ]);
    const garbage = [{ name: 'xfs/result.xml', data: Buffer.from('\u0000\u0001 not xml <') }];
    const bad = fstestsResults({ consoleLog, files: garbage, filesystems: ['xfs'], stop, durations: {} });
    expect(bad.map((t) => [t.name, t.status])).toEqual([['xfs', 'error']]);
  });

  it('cuts the kernel log to the test', () => {
    const lines = kernelLinesDuring(consoleLog, 'ext4.generic/608');
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((l) => /^\[\s*\d+\.\d+\]/.test(l))).toBe(true);
    expect(lines.join('\n')).not.toMatch(/XFS/);
  });
});
