/**
 * The artifacts folder: `blobs/<sha256>` holds each file once (a base run's repeats boot the same
 * kernel), `runs/<no>/<name>` are hard links to the blobs, and `runs/<no>/manifest.json` says
 * what was kept, when, and what was not (and why). The sweep removes runs past their retention,
 * then the blobs no run links to any more.
 */
import { createHash } from 'node:crypto';
import { constants, createWriteStream } from 'node:fs';
import { link, mkdir, open, readdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { isArtifactName, type ArtifactName } from './names.ts';

export const manifestSchema = z.object({
  runNo: z.number(),
  keptAt: z.string(),
  files: z.array(z.object({ name: z.string(), size: z.number(), sha256: z.string() })),
  /** Artifacts the run had but that were not kept, with the reason ("over 1024 MiB", "a symlink"). */
  skipped: z.array(z.object({ name: z.string(), reason: z.string() })).catch([]),
});
export type ArtifactManifest = z.infer<typeof manifestSchema>;

export function runFolder(dir: string, runNo: number): string {
  return path.join(dir, 'runs', String(runNo));
}

/** Copies a stream into the blob store, hashing it on the way; returns its hash and size. */
export async function storeBlob(dir: string, source: Readable): Promise<{ sha256: string; size: number }> {
  const blobs = path.join(dir, 'blobs');
  await mkdir(blobs, { recursive: true });
  const tmp = path.join(blobs, `.tmp-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`);
  const hash = createHash('sha256');
  let size = 0;
  try {
    await pipeline(
      source,
      async function* (chunks: AsyncIterable<Buffer>) {
        for await (const chunk of chunks) {
          hash.update(chunk);
          size += chunk.length;
          yield chunk;
        }
      },
      createWriteStream(tmp, { mode: 0o444 }),
    );
    const sha256 = hash.digest('hex');
    const blob = path.join(blobs, sha256);
    // The same content is already kept (a repeat booting the same kernel): one copy is enough.
    if (await exists(blob)) await unlink(tmp);
    else await rename(tmp, blob);
    return { sha256, size };
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

/** Links a blob into a run's folder under its artifact name. */
export async function linkBlob(dir: string, runNo: number, name: ArtifactName, sha256: string): Promise<void> {
  const folder = runFolder(dir, runNo);
  await mkdir(folder, { recursive: true });
  const target = path.join(folder, name);
  await rm(target, { force: true });
  await link(path.join(dir, 'blobs', sha256), target);
}

export async function writeManifest(dir: string, m: ArtifactManifest): Promise<void> {
  const folder = runFolder(dir, m.runNo);
  await mkdir(folder, { recursive: true });
  await writeFile(path.join(folder, 'manifest.json'), `${JSON.stringify(m, null, 2)}\n`);
}

export async function readManifest(dir: string, runNo: number): Promise<ArtifactManifest | null> {
  try {
    const r = manifestSchema.safeParse(
      JSON.parse(await readFile(path.join(runFolder(dir, runNo), 'manifest.json'), 'utf8')),
    );
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

/** A kept artifact to serve: its path and size; null when it was not kept or has been swept. */
export async function artifactFile(
  dir: string,
  runNo: number,
  name: string,
): Promise<{ file: string; size: number } | null> {
  if (!isArtifactName(name)) return null;
  const file = path.join(runFolder(dir, runNo), name);
  try {
    const s = await stat(file);
    return s.isFile() ? { file, size: s.size } : null;
  } catch {
    return null;
  }
}

/** The last `maxBytes` of a kept text artifact (the run page's console excerpt). */
export async function readTail(file: string, maxBytes: number): Promise<{ text: string; cut: boolean }> {
  const fd = await open(file, constants.O_RDONLY);
  try {
    const { size } = await fd.stat();
    const start = Math.max(0, size - maxBytes);
    const buf = Buffer.alloc(size - start);
    await fd.read(buf, 0, buf.length, start);
    return { text: buf.toString('utf8'), cut: start > 0 };
  } finally {
    await fd.close();
  }
}

/**
 * Removes the runs kept longer than `retentionMs`, then every blob no run links to (its link count
 * is back to one). Returns how many runs and blobs went.
 */
export async function sweepArtifacts(
  dir: string,
  retentionMs: number,
  now: Date,
): Promise<{ runs: number; blobs: number }> {
  let runs = 0;
  let blobs = 0;
  const runsDir = path.join(dir, 'runs');
  for (const entry of await readdir(runsDir).catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue;
    const m = await readManifest(dir, Number(entry));
    const keptAt = m ? Date.parse(m.keptAt) : NaN;
    // A folder without a readable manifest is a keep that died half-way: as old as its mtime says.
    const since = Number.isFinite(keptAt) ? keptAt : (await stat(path.join(runsDir, entry))).mtimeMs;
    if (now.getTime() - since <= retentionMs) continue;
    await rm(path.join(runsDir, entry), { recursive: true, force: true });
    runs++;
  }
  const blobsDir = path.join(dir, 'blobs');
  for (const entry of await readdir(blobsDir).catch(() => [] as string[])) {
    const file = path.join(blobsDir, entry);
    const s = await stat(file).catch(() => null);
    if (!s) continue;
    const staleTmp = entry.startsWith('.tmp-') && now.getTime() - s.mtimeMs > 86_400_000;
    if ((entry.startsWith('.tmp-') && !staleTmp) || (!staleTmp && s.nlink > 1)) continue;
    await unlink(file).catch(() => undefined);
    blobs++;
  }
  return { runs, blobs };
}
