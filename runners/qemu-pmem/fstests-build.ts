/**
 * fstests for the guest: the configured source (a release tarball such as
 * ../shared/upstream/xfstests-<commit>.tar.gz, or an unpacked tree) is unpacked into the cache
 * folder, never into the repository, and built with its own `make` (libtoolize, autoconf,
 * configure, the C test programs) inside the cached Debian root filesystem
 * (runners/guest/rootfs-build.ts). The built tree is mounted in the guest's chroot at
 * FSTESTS_MOUNT, where `check` runs from it as it does from a developer's checkout.
 * Cached by the source's content, the root filesystem and the recipe.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { cp, mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { InfraError } from '../errors.ts';
import { execCommand, type Exec } from '../sandbox/exec.ts';
import { checkoutHash } from '../nfit-sim/ndctl-build.ts';
import { ensureRootfsBuild, type RootfsBuild, type SuiteBuildInputs } from '../guest/rootfs-build.ts';

/** A folder every Debian root filesystem has (base-files), so the read-only sandbox can mount on it. */
export const FSTESTS_MOUNT = '/opt';
/** The fstests tree in the sandbox and in the guest's chroot. */
export const FSTESTS_DIR = `${FSTESTS_MOUNT}/xfstests`;

/** The build script run in the sandbox (pure): fstests' top-level make configures, then builds. */
export function fstestsBuildScript(jobs: number): string {
  return ['set -e', `cd ${FSTESTS_DIR}`, `make${jobs > 0 ? ` -j${jobs}` : ' -j"$(nproc)"'}`].join('\n');
}

/** sha256 of a file's bytes. */
async function fileHash(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** The cache key: source content + root filesystem + recipe (pure). */
export function fstestsBuildKey(contentHash: string, rootfsKey: string, script: string): string {
  return createHash('sha256')
    .update(JSON.stringify({ contentHash, rootfsKey, mount: FSTESTS_DIR, script }))
    .digest('hex')
    .slice(0, 16);
}

/** Unpacks a tarball (its one top folder becomes FSTESTS_DIR) or copies a tree into `tree`. */
async function populate(source: string, isDir: boolean, tree: string, exec: Exec): Promise<void> {
  const dest = path.join(tree, path.basename(FSTESTS_DIR));
  await mkdir(dest, { recursive: true });
  if (isDir) {
    await cp(source, dest, { recursive: true, verbatimSymlinks: true, filter: (s) => path.basename(s) !== '.git' });
    return;
  }
  const r = await exec('tar', ['-x', '-z', '-f', source, '-C', dest, '--strip-components=1', '--no-same-owner']);
  if (r.code !== 0) throw new InfraError(`cannot unpack ${source}`, { output: r.output.slice(-1000) });
}

/** `source` is a .tar.gz of an fstests tree with one top folder, or an fstests tree. */
export type FstestsBuildOptions = SuiteBuildInputs;

/** Builds (or reuses) fstests; a source that does not build is an outcome (ok=false). */
export async function ensureFstestsBuild(o: FstestsBuildOptions): Promise<RootfsBuild> {
  const exec = o.exec ?? execCommand;
  const st = await stat(o.source).catch(() => null);
  if (!st) throw new InfraError(`fstests source ${o.source} does not exist`, { source: o.source });
  const isDir = st.isDirectory();
  const script = fstestsBuildScript(o.jobs ?? 0);
  const content = isDir ? await checkoutHash(o.source) : await fileHash(o.source);
  return ensureRootfsBuild({
    kind: 'fstests',
    key: fstestsBuildKey(content, o.rootfsKey, script),
    cacheDir: o.cacheDir,
    rootfs: o.rootfs,
    mount: FSTESTS_MOUNT,
    populate: (tree) => populate(o.source, isDir, tree, exec),
    script,
    exec,
    ...(o.lockFile ? { lockFile: o.lockFile } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
  });
}
