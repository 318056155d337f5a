/**
 * The fuller guest for external test suites (ndctl's `meson test`, ...): a Debian root filesystem
 * made with debootstrap from the Debian mirror, with a base package list plus each suite's own
 * (SUITE_ROOTFS_PACKAGES). It is cached under <cacheDir>/rootfs/ and keyed by everything that shapes it
 * (release, variant, mirror, package list), so it is made once per machine and rebuilt only when
 * the list changes. The folder is packed into an ext4 image with `mke2fs -d` (no root mount, no
 * loop device) that the guest attaches read-only (QEMU snapshot=on): runs never dirty the cache.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { InfraError } from '../errors.ts';
import { execCommand, type Exec } from '../sandbox/exec.ts';
import { FSTESTS_ROOTFS_PACKAGES } from './fstests/packages.ts';

export const DEBIAN_MIRROR = 'http://deb.debian.org/debian';
export const DEBIAN_SUITE = 'bookworm';

/**
 * What every root filesystem has: python3 (meson's test runner), kmod (the guest indexes the test
 * modules with the chroot's depmod, runners/guest/nfit-sim/chroot-modules.sh, and tests reload
 * them with modprobe), and the basic tools test scripts lean on.
 */
export const BASE_ROOTFS_PACKAGES = ['python3', 'kmod', 'util-linux', 'procps', 'e2fsprogs'];

/**
 * What each external suite adds, one entry per suite (the guest suite name). Every default root
 * filesystem holds ALL of them (rootfsPackages()), so a cold machine runs debootstrap once for
 * every suite; a suite that needs another package adds it to its own line here.
 */
export const SUITE_ROOTFS_PACKAGES: Readonly<Record<string, readonly string[]>> = {
  // ndctl's meson suite: the build dependencies ndctl's meson.build asks for with docs and systemd
  // off (Debian's ndctl source package Build-Depends minus asciidoctor, debhelper and cmake), and
  // the tools its test scripts run (jq, xxd, parted, keyctl, uuidgen, hexdump, mkfs.xfs), and
  // systemd for journalctl: the dax tests' check_dmesg reads the kernel log with `journalctl -k`
  // and fails when it cannot (the guest starts systemd-journald in the chroot for them).
  'ndctl-meson': [
    'meson',
    'ninja-build',
    'pkg-config',
    'gcc',
    'libc6-dev',
    'libkmod-dev',
    'libudev-dev',
    'uuid-dev',
    'libjson-c-dev',
    'libkeyutils-dev',
    'libiniparser-dev',
    'libtraceevent-dev',
    'libtracefs-dev',
    'bash-completion',
    'jq',
    'xxd',
    'parted',
    'keyutils',
    'uuid-runtime',
    'bsdextrautils',
    'xfsprogs',
    'systemd',
  ],
  'fstests-dax': FSTESTS_ROOTFS_PACKAGES,
};

/** The package list of a root filesystem for `suites` (default: every suite's), sorted (pure). */
export function rootfsPackages(suites: readonly string[] = Object.keys(SUITE_ROOTFS_PACKAGES)): string[] {
  const extra = suites.flatMap((s) => SUITE_ROOTFS_PACKAGES[s] ?? []);
  return [...new Set([...BASE_ROOTFS_PACKAGES, ...extra])].sort();
}

export interface RootfsSpec {
  suite: string;
  variant: string;
  mirror: string;
  packages: string[];
}

/** Changing any package list changes the cache key (rootfsKey): a new tree is made on the next run. */
export const DEFAULT_ROOTFS_SPEC: RootfsSpec = {
  suite: DEBIAN_SUITE,
  variant: 'minbase',
  mirror: DEBIAN_MIRROR,
  packages: rootfsPackages(),
};

/**
 * Bumped when the way the folder is made or finished changes (not its inputs), so old caches are
 * not reused by a newer recipe.
 */
const RECIPE = 2;

/** 12 hex digits over the spec; the package order does not matter (pure). */
export function rootfsKey(spec: RootfsSpec): string {
  const pkgs = [...new Set(spec.packages)].sort();
  return createHash('sha256')
    .update(JSON.stringify({ r: RECIPE, s: spec.suite, v: spec.variant, m: spec.mirror, p: pkgs }))
    .digest('hex')
    .slice(0, 12);
}

export interface RootfsPaths {
  /** <cacheDir>/rootfs/debian-<suite>-<key> */
  base: string;
  /** The debootstrapped tree. */
  root: string;
  /** Written last: its presence means the tree is complete. */
  stamp: string;
  /** The ext4 image of `root`. */
  image: string;
  /** flock file serializing the making of this key across processes. */
  lock: string;
}

export function rootfsPaths(cacheDir: string, spec: RootfsSpec): RootfsPaths {
  const base = path.join(cacheDir, 'rootfs', `debian-${spec.suite}-${rootfsKey(spec)}`);
  return {
    base,
    root: path.join(base, 'root'),
    stamp: path.join(base, 'complete'),
    image: path.join(base, 'rootfs.ext4'),
    lock: `${base}.lock`,
  };
}

/** The debootstrap command line (pure). */
export function debootstrapArgs(spec: RootfsSpec, target: string): string[] {
  return [
    `--variant=${spec.variant}`,
    `--include=${[...new Set(spec.packages)].sort().join(',')}`,
    // debootstrap installs Depends only, never Recommends: gcc's and meson's would add hundreds
    // of MB the tests never use. Signatures are checked with the host's Debian archive keyring.
    '--keyring=/usr/share/keyrings/debian-archive-keyring.gpg',
    spec.suite,
    target,
    spec.mirror,
  ];
}

/**
 * Size of an ext4 image for `bytes` of files: ext4 metadata and inodes take about a fifth more,
 * plus headroom for what `meson test` writes during a run (which goes to QEMU's snapshot anyway).
 * Rounded to whole MiB (pure).
 */
export function imageSizeMiB(bytes: number): number {
  return Math.ceil((bytes * 1.25) / (1024 * 1024)) + 256;
}

/** `mke2fs` arguments to pack `dir` into `image` of `sizeMiB` (pure). */
export function mke2fsArgs(dir: string, image: string, sizeMiB: number, label: string): string[] {
  // -N: many small files (headers, python) exhaust the default inode ratio of a small image.
  return [
    '-q',
    '-F',
    '-t',
    'ext4',
    '-L',
    label,
    '-N',
    String(Math.max(65536, sizeMiB * 64)),
    '-E',
    'root_owner=0:0',
    '-d',
    dir,
    image,
    `${sizeMiB}M`,
  ];
}

const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

export interface EnsureOptions {
  cacheDir: string;
  spec?: RootfsSpec;
  exec?: Exec;
  /** Called with debootstrap's output as it arrives. */
  onOutput?: (chunk: string) => void;
  logFile?: string;
}

export interface DebianRootfs {
  paths: RootfsPaths;
  key: string;
  /** Whether this call made the tree (false: it was cached). */
  made: boolean;
  durationMs: number;
}

/**
 * The debootstrapped folder, made once. A second process waiting on the same key finds the stamp
 * after the lock and does nothing. A half-made tree (killed run) is thrown away and made again.
 */
export async function ensureDebianRootfs(o: EnsureOptions): Promise<DebianRootfs> {
  const spec = o.spec ?? DEFAULT_ROOTFS_SPEC;
  const paths = rootfsPaths(o.cacheDir, spec);
  const started = Date.now();
  if (existsSync(paths.stamp)) return { paths, key: rootfsKey(spec), made: false, durationMs: 0 };
  const exec = o.exec ?? execCommand;
  await mkdir(path.dirname(paths.base), { recursive: true });
  const tmp = `${paths.root}.tmp`;
  const script = [
    'set -e',
    `[ -e ${q(paths.stamp)} ] && exit 0`,
    `rm -rf ${q(tmp)} ${q(paths.root)} ${q(paths.image)}`,
    `mkdir -p ${q(paths.base)}`,
    `debootstrap ${debootstrapArgs(spec, tmp).map(q).join(' ')}`,
    // The downloaded .debs and apt lists are half the size and never used in the guest.
    `rm -rf ${q(tmp)}/var/cache/apt/archives/*.deb ${q(tmp)}/var/lib/apt/lists/*_Packages`,
    // The mount point of the ndctl build (runners/nfit-sim/ndctl-build.ts), in the build sandbox
    // (a read-only "/" where bwrap cannot create it) and in the guest.
    `mkdir -p ${q(tmp)}/ndctl`,
    `chroot ${q(tmp)} dpkg-query -W -f '\${Package} \${Version}\\n' > ${q(path.join(paths.base, 'packages.txt'))}`,
    `mv ${q(tmp)} ${q(paths.root)}`,
    `touch ${q(paths.stamp)}`,
  ].join('\n');
  const r = await exec('flock', [paths.lock, 'sh', '-c', script], {
    env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C', DEBIAN_FRONTEND: 'noninteractive' },
    timeoutMs: 60 * 60_000,
    ...(o.onOutput ? { onOutput: (c: string) => o.onOutput?.(c) } : {}),
    ...(o.logFile ? { logFile: o.logFile } : {}),
  });
  if (r.code !== 0 || !existsSync(paths.stamp)) {
    const hint =
      r.code === 127 || /debootstrap: not found/.test(r.output)
        ? ' (is debootstrap installed? scripts/install-deps.sh installs it)'
        : '';
    throw new InfraError(`debootstrap ${spec.suite} failed${hint}`, {
      target: paths.root,
      code: r.code,
      output: r.output.slice(-3000),
    });
  }
  return { paths, key: rootfsKey(spec), made: true, durationMs: Date.now() - started };
}

/** Total size in bytes of a folder's files (du, apparent sizes). */
async function folderBytes(exec: Exec, dir: string): Promise<number> {
  const r = await exec('du', ['-sb', dir]);
  const n = Number(r.stdout.split(/\s/)[0] ?? '');
  if (r.code !== 0 || !Number.isFinite(n))
    throw new InfraError(`cannot size ${dir}`, { output: r.output.slice(-1000) });
  return n;
}

/**
 * Packs `dir` into an ext4 image at `image`, unless it exists. Written to a temporary name and
 * renamed, so a killed run never leaves a truncated image that looks finished. Runs under `lock`.
 */
export async function ensureExt4Image(
  dir: string,
  image: string,
  label: string,
  lock: string,
  exec: Exec = execCommand,
): Promise<{ image: string; made: boolean; durationMs: number }> {
  const started = Date.now();
  if (existsSync(image)) return { image, made: false, durationMs: 0 };
  const size = imageSizeMiB(await folderBytes(exec, dir));
  const tmp = `${image}.tmp`;
  const script = [
    'set -e',
    `[ -e ${q(image)} ] && exit 0`,
    `rm -f ${q(tmp)}`,
    `mke2fs ${mke2fsArgs(dir, tmp, size, label).map(q).join(' ')}`,
    `mv ${q(tmp)} ${q(image)}`,
  ].join('\n');
  const r = await exec('flock', [lock, 'sh', '-c', script], {
    env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
    timeoutMs: 30 * 60_000,
  });
  if (r.code !== 0 || !existsSync(image))
    throw new InfraError(`packing ${dir} into an ext4 image failed`, { image, output: r.output.slice(-3000) });
  return { image, made: true, durationMs: Date.now() - started };
}

/** The rootfs folder and its image; both cached. */
export async function ensureDebianRootfsImage(
  o: EnsureOptions,
): Promise<DebianRootfs & { image: string; imageMs: number }> {
  const fs = await ensureDebianRootfs(o);
  const img = await ensureExt4Image(fs.paths.root, fs.paths.image, 'daxbot-root', fs.paths.lock, o.exec ?? execCommand);
  return { ...fs, image: img.image, imageMs: img.durationMs };
}

/** "ndctl 76.1-1" lines of the made tree (for logs and reports). */
export async function rootfsPackageVersions(paths: RootfsPaths): Promise<string> {
  const p = path.join(paths.base, 'packages.txt');
  return existsSync(p) ? readFile(p, 'utf8') : '';
}
