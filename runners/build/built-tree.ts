/**
 * Back-and-forth rebuilds without recompiling. The base and the series share one worktree slot,
 * so going series → base makes git rewrite the files the series changed, with fresh mtimes, and
 * make would recompile them in the base folder although the base folder's objects were built
 * from exactly that content. Each build folder's last successful build records the git tree it
 * was built from in `<folder>.built` (beside the folder, where no sandbox reaches); when the slot
 * holds that same tree again, the files git rewrote are given an old mtime, so make sees its
 * objects as up to date. This is right because every file of the slot then has the content the
 * folder's objects were made from. The record is removed before each build and written only
 * after a good one, so an interrupted or failed build never vouches for its folder.
 */
import { existsSync } from 'node:fs';
import { lutimes, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { git } from '../tree/git-run.ts';

/** Older than any object a build folder holds. */
const OLD = new Date('2000-01-01T00:00:00Z');

const recordOf = (buildDir: string): string => `${buildDir}.built`;

/** The slot's HEAD commit, or null (no slot yet, no commit). */
export async function slotHead(slot: string): Promise<string | null> {
  if (!existsSync(path.join(slot, '.git'))) return null;
  const r = await git(slot, ['rev-parse', '--verify', '--quiet', 'HEAD']);
  return r.code === 0 ? r.stdout.trim() : null;
}

async function treeOf(slot: string): Promise<string | null> {
  const r = await git(slot, ['rev-parse', '--verify', '--quiet', 'HEAD^{tree}']);
  return r.code === 0 ? r.stdout.trim() : null;
}

/**
 * After the slot moved from `before` to its HEAD through `via` (the base it was checked out at
 * before a series was applied; HEAD itself for a base run): when `buildDir` was last built from
 * the tree the slot now holds, ages every file git rewrote on the way. Returns how many.
 */
export async function ageRewrittenFiles(
  slot: string,
  buildDir: string,
  before: string | null,
  via: string | null,
): Promise<number> {
  const record = recordOf(buildDir);
  if (!before || !existsSync(record)) return 0;
  const tree = await treeOf(slot);
  if (!tree || (await readFile(record, 'utf8')).trim() !== tree) return 0;
  const files = new Set<string>();
  for (const [a, b] of [
    [before, via ?? 'HEAD'],
    [via ?? 'HEAD', 'HEAD'],
  ] as const) {
    const r = await git(slot, ['diff', '--name-only', '-z', a, b]);
    if (r.code !== 0) return 0;
    for (const f of r.stdout.split('\0')) if (f) files.add(f);
  }
  let aged = 0;
  for (const f of files) {
    const p = path.join(slot, f);
    if (!existsSync(p)) continue;
    await lutimes(p, OLD, OLD);
    aged++;
  }
  return aged;
}

/** Before a build: the folder vouches for nothing until the build is good. */
export async function forgetBuiltTree(buildDir: string): Promise<void> {
  await rm(recordOf(buildDir), { force: true });
}

/** After a good build: the folder's objects are those of the slot's tree. */
export async function recordBuiltTree(slot: string, buildDir: string): Promise<void> {
  const tree = await treeOf(slot);
  if (tree) await writeFile(recordOf(buildDir), `${tree}\n`);
}

/** A series folder seeded from the base folder starts with the base folder's record. */
export async function copyBuiltTree(fromDir: string, toDir: string): Promise<void> {
  if (existsSync(recordOf(fromDir))) await writeFile(recordOf(toDir), await readFile(recordOf(fromDir)));
  else await rm(recordOf(toDir), { force: true });
}
