/**
 * Keeps a recorded run's artifacts under its number (store.ts has the layout), right after the
 * run is recorded and before the job's next run overwrites the build folder and the console log.
 * The files come from an untrusted build: each is opened without following a final symlink,
 * must resolve inside the folder it belongs to, must be a regular file, and is size-capped.
 * A file that fails a check is not kept, and the manifest says why.
 */
import { constants, type Stats } from 'node:fs';
import { open, realpath, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { RunResult } from '../../runners/types.ts';
import { artifactSources, type ArtifactName, type ArtifactSource } from './names.ts';
import { linkBlob, storeBlob, writeManifest, type ArtifactManifest } from './store.ts';

export interface KeepOptions {
  dir: string;
  runNo: number;
  result: RunResult;
  /** The job's work folder (the run's console.log and build.log). */
  workDir: string;
  now: Date;
  maxBytes: number;
}

type Opened = { ok: true; fd: FileHandle; stats: Stats } | { ok: false; reason: string };

function inside(folder: string, file: string): boolean {
  const rel = path.relative(folder, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/** Opens a runner's file for reading only if it is what it claims to be (see the module comment). */
export async function openChecked(src: ArtifactSource, maxBytes: number): Promise<Opened> {
  let real: string;
  let root: string;
  try {
    [real, root] = await Promise.all([realpath(src.file), realpath(src.within)]);
  } catch {
    return { ok: false, reason: 'not there' };
  }
  if (!inside(root, real)) return { ok: false, reason: `resolves outside ${src.within}` };
  let fd: FileHandle;
  try {
    fd = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    return { ok: false, reason: `cannot open: ${(err as NodeJS.ErrnoException).code ?? String(err)}` };
  }
  const stats = await fd.stat();
  if (!stats.isFile()) {
    await fd.close();
    return { ok: false, reason: 'not a regular file' };
  }
  if (stats.size > maxBytes) {
    await fd.close();
    return { ok: false, reason: `over ${Math.round(maxBytes / 1048576)} MiB` };
  }
  return { ok: true, fd, stats };
}

async function keepOne(o: KeepOptions, src: ArtifactSource, m: ArtifactManifest): Promise<void> {
  const opened = await openChecked(src, o.maxBytes);
  if (!opened.ok) {
    m.skipped.push({ name: src.name, reason: opened.reason });
    return;
  }
  try {
    const blob = await storeBlob(o.dir, Readable.from(opened.fd.createReadStream({ autoClose: false })));
    await linkBlob(o.dir, o.runNo, src.name, blob.sha256);
    m.files.push({ name: src.name, ...blob });
  } finally {
    await opened.fd.close();
  }
}

/** Console text a runner kept in memory (older results) is kept as console.log too. */
async function keepText(o: KeepOptions, name: ArtifactName, text: string, m: ArtifactManifest): Promise<void> {
  const blob = await storeBlob(o.dir, Readable.from([Buffer.from(text, 'utf8')]));
  await linkBlob(o.dir, o.runNo, name, blob.sha256);
  m.files.push({ name, ...blob });
}

export async function keepRunArtifacts(o: KeepOptions): Promise<ArtifactManifest> {
  const m: ArtifactManifest = { runNo: o.runNo, keptAt: o.now.toISOString(), files: [], skipped: [] };
  for (const src of artifactSources(o.result, o.workDir)) await keepOne(o, src, m);
  const log = o.result.consoleLog;
  if (log && !m.files.some((f) => f.name === 'console.log') && !m.skipped.some((s) => s.name === 'console.log'))
    await keepText(o, 'console.log', log, m);
  await writeManifest(o.dir, m);
  return m;
}
