/**
 * The guest's initramfs: host binaries (with their shared libraries), the project's guest scripts
 * and static C helpers, packed as a gzip'd newc cpio. Cached under <cacheDir>/guest/ with a hash
 * of every input in its name, so it is rebuilt only when an input changes.
 */
import { createHash } from 'node:crypto';
import { existsSync, realpathSync } from 'node:fs';
import { chmod, copyFile, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InfraError } from '../errors.ts';
import { execCommand, type Exec } from '../sandbox/exec.ts';
import { sharedLibraries } from './libs.ts';

export interface InitramfsFile {
  /** Host path (symlinks are followed: the guest gets the content). */
  source: string;
  /** Absolute path inside the guest. */
  dest: string;
  mode?: number;
}

export interface InitramfsSpec {
  cacheDir: string;
  /** Dynamic or static host binaries to copy (to the same path in the guest) with their libraries. */
  binaries: string[];
  /** Further files (scripts, helpers, kernel modules for nfit-sim). */
  files: InitramfsFile[];
  /** The /init script. */
  init: string;
  /** Name prefix of the cached image ("dax" → initramfs-dax-<hash>.cpio.gz). */
  name?: string;
  exec?: Exec;
}

/** The busybox, ndctl, mkfs tools the DAX suites need from the host. */
export const DEFAULT_GUEST_BINARIES = [
  '/bin/busybox',
  '/usr/bin/ndctl',
  '/usr/bin/daxctl',
  '/usr/sbin/mkfs.ext4',
  '/usr/sbin/mkfs.xfs',
];

/** Every file of a folder (recursively) mapped under a guest folder. */
export async function filesUnder(hostDir: string, guestDir: string, mode?: number): Promise<InitramfsFile[]> {
  const out: InitramfsFile[] = [];
  for (const entry of await readdir(hostDir, { withFileTypes: true })) {
    const src = path.join(hostDir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(src, path.posix.join(guestDir, entry.name), mode)));
    else
      out.push({ source: src, dest: path.posix.join(guestDir, entry.name), ...(mode === undefined ? {} : { mode }) });
  }
  return out;
}

/** Builds (or reuses) the image and returns its path. */
export async function buildInitramfs(spec: InitramfsSpec): Promise<string> {
  const exec = spec.exec ?? execCommand;
  for (const b of spec.binaries)
    if (!existsSync(b)) throw new InfraError(`guest binary ${b} is missing on the host`, { binary: b });
  const libs = await sharedLibraries(exec, spec.binaries);
  const entries: InitramfsFile[] = [
    ...spec.binaries.map((b) => ({ source: b, dest: b, mode: 0o755 })),
    ...libs.map((l) => ({ source: l, dest: l, mode: 0o755 })),
    { source: '/etc/mke2fs.conf', dest: '/etc/mke2fs.conf', mode: 0o644 },
    ...spec.files,
    { source: spec.init, dest: '/init', mode: 0o755 },
  ].filter((e) => existsSync(e.source));

  const h = createHash('sha256');
  for (const e of entries) {
    h.update(`${e.dest}\u0000${e.mode ?? ''}\u0000`);
    h.update(await readFile(e.source));
  }
  const hash = h.digest('hex').slice(0, 16);
  const outDir = path.join(spec.cacheDir, 'guest');
  const out = path.join(outDir, `initramfs-${spec.name ?? 'dax'}-${hash}.cpio.gz`);
  if (existsSync(out)) return out;

  const staging = path.join(outDir, `staging-${hash}-${process.pid}`);
  await rm(staging, { recursive: true, force: true });
  for (const d of ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'proc', 'sys', 'dev', 'tmp', 'mnt', 'etc', 'root']) {
    await mkdir(path.join(staging, d), { recursive: true });
  }
  for (const e of entries) {
    const target = path.join(staging, e.dest);
    await mkdir(path.dirname(target), { recursive: true });
    await copyFile(realpathSync(e.source), target);
    await chmod(target, e.mode ?? (await stat(e.source)).mode & 0o777);
  }
  // /dev/console itself comes from the kernel's built-in initramfs, unpacked before this one.
  await writeFile(path.join(staging, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  const tmp = `${out}.tmp-${process.pid}`;
  const r = await exec('sh', [
    '-c',
    `cd "$1" && find . -print0 | cpio --null -o -H newc --quiet -R 0:0 | gzip -1 > "$2"`,
    'sh',
    staging,
    tmp,
  ]);
  await rm(staging, { recursive: true, force: true });
  if (r.code !== 0) throw new InfraError('packing the initramfs failed', { output: r.output.slice(-2000) });
  await rename(tmp, out);
  return out;
}
