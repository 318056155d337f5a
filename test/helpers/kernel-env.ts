/**
 * What the heavy tests (real kernel tree, real builds, real QEMU) share: where the repository
 * and the kernel cache are, and whether this machine can run them at all. scripts/test.sh
 * installs everything, so in CI `kernelTestsAvailable` is true and nothing is skipped.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PipelineDeps } from '../../bot/deps.ts';
import { silentLogger } from '../../bot/log.ts';
import type { Store } from '../../bot/store/store.ts';
import { wirePipeline, type WireOptions } from '../../bot/wire.ts';
import type { Config } from '../../config/schema.ts';
import { DEFAULT_LINUX_TARBALL, resolveCacheDir } from '../../runners/tree/setup.ts';
import { hasBinary } from './servers/binaries.ts';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const kernelCacheDir = resolveCacheDir(repoRoot, process.env);

const KERNEL_TOOLS = [
  'qemu-system-x86_64',
  'bwrap',
  'ccache',
  'busybox',
  'ndctl',
  'mkfs.ext4',
  'cpio',
  'gcc',
  'flock',
  'bison',
  'flex',
  'bc',
];

/** The 6.1 tree is set up (or can be, from Debian's tarball) and the build and guest tools exist. */
export function kernelTestsAvailable(extraTools: string[] = []): boolean {
  const tree = existsSync(path.join(kernelCacheDir, 'linux-6.1', '.git')) || existsSync(DEFAULT_LINUX_TARBALL);
  return tree && [...KERNEL_TOOLS, ...extraTools].every(hasBinary);
}

/**
 * config/demo.yaml (the demo's tree, runner and mail settings) rewritten for a heavy test: its
 * own store, work folder and outbox under `dir`, the shared kernel cache, the demo inbox by an
 * absolute path, and `edit` for the test's own changes. Every patch of the demo's series builds,
 * so the heavy tests on it leave out the per-patch builds (schedule.buildEachPatch; the check
 * has its own test, pipeline-build-bisect): each would cost an incremental build. Returns the
 * file's path.
 */
export function writeDemoConfig(dir: string, edit: (text: string) => string = (t) => t): string {
  const file = path.join(dir, 'config.yaml');
  const demo = readFileSync(path.join(repoRoot, 'config', 'demo.yaml'), 'utf8');
  const text = demo
    .replace(/^database:.*$/m, '')
    .replace(/^cacheDir:.*$/m, `cacheDir: ${kernelCacheDir}`)
    .replace(/^workDir:.*$/m, `workDir: ${dir}/work`)
    .replace(
      /path: \.\.\/test\/fixtures\/demo\/inbox\.mbox/,
      `path: ${path.join(repoRoot, 'test/fixtures/demo/inbox.mbox')}`,
    )
    .replace(/^ {2}outbox:.*$/m, `  outbox: ${dir}/outbox`)
    .replace(/^schedule:$/m, 'schedule:\n  buildEachPatch: false');
  writeFileSync(file, edit(text));
  return file;
}

/** The real pipeline (real runners unless `extra.script`) of this repository, silent, for a config and store. */
export function wireRepoPipeline(config: Config, store: Store, extra: Partial<WireOptions> = {}): PipelineDeps {
  return wirePipeline({
    config,
    store,
    log: silentLogger(),
    repoRoot,
    env: process.env,
    configDir: path.join(repoRoot, 'config'),
    cwd: repoRoot,
    ...extra,
  });
}
