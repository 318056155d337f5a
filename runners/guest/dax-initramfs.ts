/**
 * The initramfs for the DAX suites: host tools, the guest scripts (init.sh, suites/) and the
 * static C helpers. Other runners pass extra files (e.g. kernel modules, another suite).
 */
import path from 'node:path';
import { buildInitramfs, DEFAULT_GUEST_BINARIES, filesUnder, type InitramfsFile } from './initramfs.ts';
import { compileHelpers } from './helpers.ts';

/**
 * What this initramfs is made from, relative to the repository: part of every kernel runner's
 * guest, so of the digest a baseline is cached under (runners/core/digest.ts).
 */
export const DAX_GUEST_PATHS = ['runners/guest/init.sh', 'runners/guest/suites', 'runners/guest/helpers'];

/** Where the guest scripts and helper sources live in the repository. */
export function guestDir(repoRoot: string): string {
  return path.join(repoRoot, 'runners', 'guest');
}

/** The initramfs for the DAX suites (reused by other runners with more files). */
export async function daxInitramfs(
  repoRoot: string,
  cacheDir: string,
  extra: InitramfsFile[] = [],
  binaries: string[] = DEFAULT_GUEST_BINARIES,
): Promise<string> {
  const g = guestDir(repoRoot);
  const helpers = await compileHelpers(path.join(g, 'helpers'), cacheDir);
  return buildInitramfs({
    cacheDir,
    binaries,
    files: [
      ...(await filesUnder(path.join(g, 'suites'), '/daxbot/suites', 0o755)),
      ...helpers.map((h) => ({ source: h, dest: `/daxbot/helpers/${path.basename(h)}`, mode: 0o755 })),
      ...extra,
    ],
    init: path.join(g, 'init.sh'),
  });
}
