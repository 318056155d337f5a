/**
 * Builds the configured ndctl checkout for the guest: a copy of the checkout is configured with
 * `meson setup -Dtest=enabled` and compiled with ninja INSIDE the cached Debian root filesystem
 * (runners/guest/rootfs-build.ts: bubblewrap with that tree as "/"), so its test binaries link
 * against the same libraries the guest runs. The checkout is untrusted code (its meson.build and
 * tests run programs): it gets no network, a scrubbed environment and sees only the read-only
 * Debian tree and its own folder. The result is cached under <cacheDir>/ndctl/<key>, keyed by the
 * checkout's content, the root filesystem and the meson options, and packed into a small ext4
 * image the guest mounts at /ndctl (the build folder records absolute paths, so the guest sees
 * the same ones as the build).
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, lstat, readdir, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';
import {
  ensureRootfsBuild,
  rootfsSandboxArgs,
  type RootfsBuild,
  type SuiteBuildInputs,
} from '../guest/rootfs-build.ts';

/** Where the checkout copy lives, inside the build sandbox and inside the guest's chroot. */
export const NDCTL_MOUNT = '/ndctl';
export const NDCTL_GUEST_SRC = `${NDCTL_MOUNT}/src`;
export const NDCTL_GUEST_BUILD = `${NDCTL_MOUNT}/build`;

export interface NdctlBuildConfig {
  destructive: boolean;
  /** Further `meson setup` options (e.g. "-Ddocs=disabled"). */
  mesonOptions: string[];
}

/** `meson setup` arguments (pure). -Dtest builds the tests; -Ddestructive adds the ones that reformat devices. */
export function mesonSetupArgs(c: NdctlBuildConfig): string[] {
  return [
    'setup',
    NDCTL_GUEST_BUILD,
    NDCTL_GUEST_SRC,
    '-Dtest=enabled',
    `-Ddestructive=${c.destructive ? 'enabled' : 'disabled'}`,
    ...c.mesonOptions,
  ];
}

/** The shell script run in the sandbox (pure). A failing step's output ends the log. */
export function ndctlBuildScript(c: NdctlBuildConfig, jobs: number): string {
  const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  return [
    'set -e',
    `rm -rf ${q(NDCTL_GUEST_BUILD)}`,
    `meson ${mesonSetupArgs(c).map(q).join(' ')}`,
    `ninja -C ${q(NDCTL_GUEST_BUILD)}${jobs > 0 ? ` -j ${jobs}` : ''}`,
  ].join('\n');
}

/** bwrap arguments that make `root` the sandbox's "/" (read-only) with `work` at /ndctl (pure). */
export function rootfsBwrapArgs(root: string, work: string): string[] {
  return rootfsSandboxArgs(root, work, NDCTL_MOUNT);
}

/** Folders never copied or hashed: git metadata and any meson build folder in the checkout. */
async function skipped(dir: string, name: string): Promise<boolean> {
  if (name === '.git') return true;
  return existsSync(path.join(dir, name, 'meson-private'));
}

/**
 * A hash of the checkout's files (paths, executable bits, contents, symlink targets), without
 * .git and build folders: what the build depends on, whether or not it is a git repository and
 * whether or not it has uncommitted changes. Reading files is safe; running git in a stranger's
 * repository (hooks, config) is not needed.
 */
export async function checkoutHash(source: string): Promise<string> {
  const h = createHash('sha256');
  const walk = async (dir: string, rel: string): Promise<void> => {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
    for (const e of entries) {
      const abs = path.join(dir, e.name);
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (await skipped(dir, e.name)) continue;
        h.update(`d ${r}\n`);
        await walk(abs, r);
      } else if (e.isSymbolicLink()) {
        h.update(`l ${r} ${await readlink(abs)}\n`);
      } else if (e.isFile()) {
        const st = await lstat(abs);
        h.update(`f ${r} ${st.mode & 0o111 ? 'x' : '-'} ${st.size}\n`);
        h.update(await readFile(abs));
      }
    }
  };
  await walk(source, '');
  return h.digest('hex');
}

/** The cache key: checkout content + root filesystem + options (pure). */
export function ndctlBuildKey(contentHash: string, rootfsKey: string, c: NdctlBuildConfig): string {
  return createHash('sha256')
    .update(JSON.stringify({ contentHash, rootfsKey, setup: mesonSetupArgs(c) }))
    .digest('hex')
    .slice(0, 16);
}

export type NdctlBuild = RootfsBuild;

/** `source` is an ndctl checkout. */
export interface NdctlBuildOptions extends NdctlBuildConfig, SuiteBuildInputs {}

/**
 * Builds (or reuses) the checkout. A meson or ninja failure is an outcome (ok=false, cached too:
 * the same checkout fails the same way); only the machinery failing to run throws InfraError.
 */
export async function ensureNdctlBuild(o: NdctlBuildOptions): Promise<NdctlBuild> {
  const key = ndctlBuildKey(await checkoutHash(o.source), o.rootfsKey, o);
  return ensureRootfsBuild({
    kind: 'ndctl',
    key,
    cacheDir: o.cacheDir,
    rootfs: o.rootfs,
    mount: NDCTL_MOUNT,
    populate: (tree) =>
      cp(o.source, path.join(tree, 'src'), {
        recursive: true,
        verbatimSymlinks: true,
        filter: async (src) => src === o.source || !(await skipped(path.dirname(src), path.basename(src))),
      }),
    script: ndctlBuildScript(o, o.jobs ?? 0),
    ...(o.exec ? { exec: o.exec } : {}),
    ...(o.lockFile ? { lockFile: o.lockFile } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
  });
}
