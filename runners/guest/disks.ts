/**
 * Virtio disks for the guest beyond its initramfs. Cached images (a root filesystem, a test
 * suite's build) are attached behind per-run qcow2 overlays, so the guest may write and the cache
 * is never touched. A results disk is the way out of the guest for files too big or too
 * structured for the console: a raw disk (no filesystem) that the guest writes one tar stream
 * onto and the host reads back after QEMU has exited. The guest runs the kernel under test, so
 * that stream is untrusted input: the reader parses tar headers itself (no extraction onto the
 * host's filesystem), takes regular files only, checks every checksum and size against the
 * bounds of the image, and stops at the first thing it does not understand, keeping what it read.
 * The guest finds each disk by its virtio serial (device names depend on PCI order).
 */
import { open, readFile, rm } from 'node:fs/promises';
import { InfraError } from '../../bot/errors.ts';
import type { Exec } from '../sandbox/exec.ts';

/** QEMU arguments for one virtio disk with a serial (pure). */
export function virtioDiskArgs(file: string, id: string, serial: string, format: 'qcow2' | 'raw' = 'qcow2'): string[] {
  // cache=unsafe: overlays are thrown away after the run, and the host reads a results disk only
  // after QEMU exited, when the guest's writes are in the file: flushes buy nothing.
  return [
    '-drive',
    `file=${file},format=${format},if=none,id=${id},cache=unsafe`,
    '-device',
    `virtio-blk-pci,drive=${id},serial=${serial}`,
  ];
}

/** A qcow2 overlay over a raw image, so the guest's writes never reach the cached image. */
export async function createOverlay(exec: Exec, base: string, file: string): Promise<void> {
  const r = await exec('qemu-img', ['create', '-q', '-f', 'qcow2', '-F', 'raw', '-b', base, file]);
  if (r.code !== 0)
    throw new InfraError('qemu-img could not create a disk overlay', { base, output: r.output.slice(-1000) });
}

/** A fresh, sparse, zeroed image of `mib` MiB (a stale one from an earlier run is replaced). */
export async function createResultsDisk(file: string, mib: number): Promise<void> {
  await rm(file, { force: true });
  const fh = await open(file, 'w');
  try {
    await fh.truncate(mib * 1024 * 1024);
  } finally {
    await fh.close();
  }
}

export interface TarEntry {
  /** The member's name without a leading "./". */
  name: string;
  data: Buffer;
}

const BLOCK = 512;

function field(h: Buffer, off: number, len: number): string {
  const raw = h.subarray(off, off + len);
  const end = raw.indexOf(0);
  return raw.subarray(0, end < 0 ? len : end).toString('utf8');
}

function octal(h: Buffer, off: number, len: number): number | null {
  const s = field(h, off, len).trim();
  return /^[0-7]+$/.test(s) ? parseInt(s, 8) : null;
}

/** ustar's header checksum: the byte sum with the checksum field read as spaces. */
function checksumOk(h: Buffer): boolean {
  const want = octal(h, 148, 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : (h[i] ?? 0);
  return want === sum;
}

/** A safe relative name: no absolute path, no "..", no empty or control characters. */
function cleanName(raw: string): string | null {
  const name = raw.replace(/^(\.\/)+/, '');
  if (name === '' || name.startsWith('/') || /[\x00-\x1f]/.test(name)) return null;
  if (name.split('/').some((p) => p === '..')) return null;
  return name;
}

/**
 * The regular files of a ustar/GNU tar stream at the start of `image` (pure). Folders and links
 * are skipped; a bad checksum or a size past the end ends the list. At most `maxFiles` entries.
 */
export function readTarEntries(image: Buffer, maxFiles = 10_000): TarEntry[] {
  const out: TarEntry[] = [];
  let off = 0;
  while (off + BLOCK <= image.length && out.length < maxFiles) {
    const h = image.subarray(off, off + BLOCK);
    if (h.every((b) => b === 0)) break;
    if (!checksumOk(h)) break;
    const size = octal(h, 124, 12);
    if (size === null || off + BLOCK + size > image.length) break;
    const type = String.fromCharCode(h[156] ?? 0);
    const prefix = field(h, 345, 155);
    const base = field(h, 0, 100);
    const name = cleanName(prefix ? `${prefix}/${base}` : base);
    if ((type === '0' || type === '\0') && name !== null)
      out.push({ name, data: Buffer.from(image.subarray(off + BLOCK, off + BLOCK + size)) });
    off += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
  }
  return out;
}

/** Reads the disk image's tar stream; an image that cannot be read yields nothing. */
export async function readResultsDisk(file: string, maxBytes: number): Promise<TarEntry[]> {
  try {
    const buf = await readFile(file);
    return readTarEntries(buf.subarray(0, maxBytes));
  } catch {
    return [];
  }
}
