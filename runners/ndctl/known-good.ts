/**
 * The known-good kernel, built once: a build step (for the nfit-sim runner's sequence) that makes
 * the kernel and its nfit_test modules the first time and then answers from a record while the
 * build folder is as that make left it. The record (`<buildDir>.known-good.json`, beside the
 * folder) keeps each make's result with the commit the slot had and a fingerprint of the folder
 * (its file count and newest mtime): any later make in that folder (another runner's series
 * build, which may share it) changes the fingerprint, and the next run makes again. So an ndctl
 * series' runs skip the kernel build lock and a no-op make of the whole tree.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { buildKernel, type KernelBuildOptions } from '../build/make.ts';
import type { BuildStep } from '../core/sequence.ts';
import { execCommand } from '../sandbox/exec.ts';
import type { BuildResult } from '../types.ts';

const recordSchema = z.object({
  commit: z.string(),
  fingerprint: z.string(),
  /** Each make's result by its targets and make arguments. */
  makes: z.record(
    z.string(),
    z.custom<BuildResult>((v) => typeof v === 'object' && v !== null),
  ),
});
type KnownGoodRecord = z.infer<typeof recordSchema>;

/** The files of a folder, counted, with the newest mtime: what any make in it changes. */
export async function folderFingerprint(dir: string): Promise<string> {
  let count = 0;
  let newest = 0;
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) {
        count++;
        newest = Math.max(newest, (await stat(p)).mtimeMs);
      }
    }
  };
  await walk(dir);
  return `${count}:${newest}`;
}

async function slotCommit(source: string): Promise<string> {
  // The kernel tree is ours and never patched by this runner: git may run in it.
  const r = await execCommand('git', ['-C', source, 'rev-parse', 'HEAD'], { timeoutMs: 60_000 });
  return r.code === 0 ? r.output.trim() : '';
}

async function readRecord(file: string): Promise<KnownGoodRecord | null> {
  if (!existsSync(file)) return null;
  const parsed = recordSchema.safeParse(JSON.parse(await readFile(file, 'utf8').catch(() => 'null')));
  return parsed.success ? parsed.data : null;
}

const makeKey = (o: KernelBuildOptions): string => JSON.stringify([o.targets ?? [], o.makeArgs ?? []]);

/** A BuildStep that answers a make of the same commit from the record while the folder is unchanged. */
export function knownGoodBuildStep(step: BuildStep = buildKernel): BuildStep {
  return async (o) => {
    const file = `${o.buildDir}.known-good.json`;
    const commit = await slotCommit(o.source);
    const record = await readRecord(file);
    const key = makeKey(o);
    const before = record ? await folderFingerprint(o.buildDir) : '';
    const kept = record?.makes[key];
    if (record && kept && record.commit === commit && record.fingerprint === before) return { ...kept, durationMs: 0 };
    const result = await step(o);
    if (!result.ok || commit === '') return result;
    // A make that follows the record's own (the folder as it left it) adds to it; any other starts anew.
    const continues = record !== null && record.commit === commit && record.fingerprint === before;
    const makes = continues ? { ...record.makes, [key]: result } : { [key]: result };
    const fingerprint = await folderFingerprint(o.buildDir);
    await writeFile(file, JSON.stringify({ commit, fingerprint, makes } satisfies KnownGoodRecord));
    return result;
  };
}
