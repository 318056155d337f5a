/**
 * The fstests-dax suite's planning and merging on the host (no QEMU, no debootstrap): when it runs,
 * what the guest is told, the root filesystem it needs, how its results join the KTAP suites'
 * outcome, and that `#daxbot test fstests-dax` asks for it.
 */
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../../bot/log.ts';
import { parseCommands } from '../../../../bot/commands/parse.ts';
import { runnerSchema } from '../../../../config/schema.ts';
import { DEFAULT_ROOTFS_SPEC, rootfsKey } from '../../../../runners/guest/debian-rootfs.ts';
import { FSTESTS_ROOTFS_PACKAGES } from '../../../../runners/guest/fstests/packages.ts';
import { fstestsGuestAppend, planFstests, FSTESTS_DAX_SUITE } from '../../../../runners/qemu-pmem/fstests-config.ts';
import {
  fstestsRootfsSpec,
  mergeFstestsResults,
  prepareFstestsSuite,
} from '../../../../runners/qemu-pmem/fstests-suite.ts';
import type { TestResult } from '../../../../runners/types.ts';

const config = (extra: Record<string, unknown> = {}) =>
  runnerSchema.parse({ name: 'qemu-pmem', kind: 'qemu-pmem', suites: ['dax', 'fstests-dax'], ...extra });

describe('fstests-dax planning', () => {
  it('defaults to the dax group on ext4 and xfs, and refuses test names it cannot pass to check', () => {
    const c = config();
    expect([c.fstestsFilesystems, c.fstestsGroup, c.fstestsTests, c.fstestsSource]).toEqual([
      ['ext4', 'xfs'],
      'dax',
      [],
      undefined,
    ]);
    expect(fstestsGuestAppend(c)).toEqual(['daxbot.fstests-fs=ext4,xfs', 'daxbot.fstests-group=dax']);
    expect(
      fstestsGuestAppend(config({ fstestsFilesystems: ['xfs'], fstestsTests: ['generic/608', 'xfs/550'] })),
    ).toEqual(['daxbot.fstests-fs=xfs', 'daxbot.fstests-group=dax', 'daxbot.fstests-tests=generic/608,xfs/550']);
    expect(() => config({ fstestsTests: ['generic/608; reboot'] })).toThrow();
    expect(() => config({ fstestsFilesystems: ['btrfs'] })).toThrow();
  });

  it('is a skip that says what to configure without a source, and runs with one', () => {
    const none = planFstests({});
    expect(none).toEqual({
      run: false,
      results: [
        {
          suite: FSTESTS_DAX_SUITE,
          name: FSTESTS_DAX_SUITE,
          status: 'skip',
          reason: 'not configured: set fstestsSource on the qemu-pmem runner to an fstests tarball or tree',
          missingPrerequisite: true,
        },
      ],
    });
    expect(planFstests({ fstestsSource: '/nope.tar.gz' }, () => false)).toMatchObject({ run: false });
    expect(planFstests({ fstestsSource: '/x.tar.gz' }, () => true)).toEqual({ run: true, source: '/x.tar.gz' });
  });

  it('prepares nothing when the run did not ask for the suite, and only the skip when unconfigured', async () => {
    const base = { repoRoot: '/r', cacheDir: '/c', workDir: '/w', log: silentLogger() };
    const off = await prepareFstestsSuite({ ...base, config: config(), suites: ['dax'] });
    expect([off.run, off.hostResults, off.qemuExtra, off.guestFiles]).toEqual([false, [], [], []]);
    const unconfigured = await prepareFstestsSuite({ ...base, config: config(), suites: ['dax', 'fstests-dax'] });
    expect(unconfigured.run).toBe(false);
    expect(unconfigured.hostResults.map((t) => t.status)).toEqual(['skip']);
  });

  it("uses one root filesystem with fstests' packages on top of the default list", () => {
    const spec = fstestsRootfsSpec();
    for (const p of [...DEFAULT_ROOTFS_SPEC.packages, ...FSTESTS_ROOTFS_PACKAGES]) expect(spec.packages).toContain(p);
    // Adding what is already there changes nothing: the key is the default one's once merged.
    expect(rootfsKey(fstestsRootfsSpec(spec))).toBe(rootfsKey(spec));
  });

  it('#daxbot test fstests-dax names the suite', () => {
    const r = parseCommands('#daxbot test fstests-dax\n#daxbot test dax fstests-dax repeat 2', {
      suites: ['dax', 'dax-race', 'fstests-dax'],
    });
    expect(r.errors).toEqual([]);
    expect(r.commands.map((c) => (c.kind === 'test' ? [c.suites, c.repeat ?? null] : null))).toEqual([
      [['fstests-dax'], null],
      [['dax', 'fstests-dax'], 2],
    ]);
    expect(parseCommands('#daxbot test fstests-dax').commands).toHaveLength(1);
  });
});

describe('mergeFstestsResults', () => {
  const dax: TestResult[] = [{ suite: 'dax', name: 'ext4_mmap_rw', status: 'pass' }];
  const clean = { tests: dax, failureClass: 'none' as const, summary: '1 passed, 0 skipped' };

  it('makes a clean run a kernel failure when an fstests test fails, naming it', () => {
    const m = mergeFstestsResults(clean, [
      { suite: 'fstests-dax', name: 'xfs.generic/608', status: 'fail', reason: 'output mismatch' },
      { suite: 'fstests-dax', name: 'xfs.generic/470', status: 'skip', reason: 'no log device' },
    ]);
    expect([m.failureClass, m.summary, m.tests.length]).toEqual([
      'kernel',
      '1 fstests failed: fstests-dax.xfs.generic/608',
      3,
    ]);
  });

  it('recounts a clean run, and keeps a crash or hang summary as it was', () => {
    const ok = mergeFstestsResults(clean, [{ suite: 'fstests-dax', name: 'ext4.generic/413', status: 'pass' }]);
    expect([ok.failureClass, ok.summary]).toEqual(['none', '2 passed, 0 skipped']);
    const hang = { tests: dax, failureClass: 'kernel' as const, summary: 'hang in fstests-dax.xfs.generic/413' };
    const m = mergeFstestsResults(hang, [{ suite: 'fstests-dax', name: 'xfs.generic/413', status: 'timeout' }]);
    expect([m.failureClass, m.summary, m.tests.length]).toEqual(['kernel', 'hang in fstests-dax.xfs.generic/413', 2]);
  });
});
