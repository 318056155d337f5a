/**
 * The fstests-dax suite's settings on a qemu-pmem runner and its pure planning: whether it runs
 * (it needs `fstestsSource`; otherwise it is a "not configured" skip, so a verdict never counts
 * it as a regression), which filesystems and tests, and the kernel command line words the guest
 * script (runners/guest/fstests/fstests-dax.sh) reads.
 */
import { existsSync } from 'node:fs';
import { z } from 'zod';
import type { TestResult } from '../types.ts';

/** The suite's name in `suites:`, in `#daxbot test`, in TestResults and in the guest's markers. */
export const FSTESTS_DAX_SUITE = 'fstests-dax';

/** The filesystems the suite knows how to make (mkfs options for DAX: 4 KiB blocks). */
export const FSTESTS_FILESYSTEMS = ['ext4', 'xfs'] as const;

/** Keys spread into the runner schema (config/schema.ts). */
export const fstestsConfigShape = {
  /**
   * fstests for the fstests-dax suite: a tarball of an fstests tree (such as
   * ../shared/upstream/xfstests-63a29724.tar.gz) or an unpacked tree. It is built in the cached
   * Debian root filesystem and its `check` runs in the guest.
   */
  fstestsSource: z.string().optional(),
  /** Filesystems the suite runs `check` on, one after the other. */
  fstestsFilesystems: z.array(z.enum(FSTESTS_FILESYSTEMS)).min(1).default(['ext4', 'xfs']),
  /** The fstests group to run. */
  fstestsGroup: z
    .string()
    .regex(/^[a-z0-9_]+$/)
    .default('dax'),
  /** These tests instead of the group ("generic/413", "ext4/030"); each filesystem runs its own and generic/. */
  fstestsTests: z.array(z.string().regex(/^(generic|ext4|xfs)\/[0-9]{3,4}$/)).default([]),
};

export const fstestsConfigSchema = z.object(fstestsConfigShape);
export type FstestsConfig = z.infer<typeof fstestsConfigSchema>;

export type FstestsPlan = { run: false; results: TestResult[] } | { run: true; source: string };

/** Whether the suite can run; a skip that says what to configure when it cannot (pure but for `exists`). */
export function planFstests(cfg: Pick<FstestsConfig, 'fstestsSource'>, exists = existsSync): FstestsPlan {
  const skip = (reason: string): FstestsPlan => ({
    run: false,
    results: [{ suite: FSTESTS_DAX_SUITE, name: FSTESTS_DAX_SUITE, status: 'skip', reason, missingPrerequisite: true }],
  });
  if (!cfg.fstestsSource)
    return skip('not configured: set fstestsSource on the qemu-pmem runner to an fstests tarball or tree');
  if (!exists(cfg.fstestsSource)) return skip(`fstestsSource ${cfg.fstestsSource} does not exist`);
  return { run: true, source: cfg.fstestsSource };
}

/** Kernel command line words for the guest script (pure). */
export function fstestsGuestAppend(cfg: Omit<FstestsConfig, 'fstestsSource'>): string[] {
  return [
    `daxbot.fstests-fs=${cfg.fstestsFilesystems.join(',')}`,
    `daxbot.fstests-group=${cfg.fstestsGroup}`,
    ...(cfg.fstestsTests.length > 0 ? [`daxbot.fstests-tests=${cfg.fstestsTests.join(',')}`] : []),
  ];
}
