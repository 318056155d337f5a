/**
 * What the heavy tests (real kernel tree, real builds, real QEMU) share: where the repository
 * and the kernel cache are, and whether this machine can run them at all. scripts/test.sh
 * installs everything, so in CI `kernelTestsAvailable` is true and nothing is skipped.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_LINUX_TARBALL, resolveCacheDir } from '../../runners/tree/setup.ts';
import { hasBinary } from './servers/binaries.ts';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const kernelCacheDir = resolveCacheDir(repoRoot, process.env);

const KERNEL_TOOLS = ['qemu-system-x86_64', 'bwrap', 'ccache', 'busybox', 'ndctl', 'mkfs.ext4', 'cpio', 'gcc', 'flock', 'bison', 'flex', 'bc'];

/** The 6.1 tree is set up (or can be, from Debian's tarball) and the build and guest tools exist. */
export function kernelTestsAvailable(extraTools: string[] = []): boolean {
  const tree = existsSync(path.join(kernelCacheDir, 'linux-6.1', '.git')) || existsSync(DEFAULT_LINUX_TARBALL);
  return tree && [...KERNEL_TOOLS, ...extraTools].every(hasBinary);
}
