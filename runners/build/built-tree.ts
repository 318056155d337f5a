/**
 * Back-and-forth rebuilds without recompiling. The base and the series share one worktree slot,
 * so going series → base makes git rewrite the files the series changed, with fresh mtimes, and
 * make would recompile them in the base folder although the base folder's objects were built
 * from exactly that content. Each build folder's last successful build records the git tree it
 * was built from in `<folder>.built` (beside the folder, where no sandbox reaches); when the slot
 * holds that same tree again, the files git rewrote are given an old mtime, so make sees its
 * objects as up to date. This is right for that folder because every file of the slot then has
 * the content its objects were made from. The record is removed before each build and written
 * only after a good one, so an interrupted or failed build never vouches for its folder.
 *
 * An aged file is wrong for the other folders of the slot (the series folder still holds objects
 * of the series' version of a file the base run aged; a later bisection step that does not apply
 * that patch would link them). So every file aged for one folder is owed to its siblings, listed
 * in `<sibling>.touch`: before a sibling's next build those files are aged again when that folder
 * also vouches for the slot's tree, and otherwise given the current time, which only ever costs a
 * recompile. A series folder seeded from the base folder inherits what the base folder was owed.
 */
import { existsSync } from 'node:fs';
import { appendFile, lutimes, readFile, rm, writeFile } from 'node:fs/promises';
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

const owedOf = (buildDir: string): string => `${buildDir}.touch`;

/** The files (slot-relative) `buildDir` is owed, and forgets them: the caller settles them now. */
async function takeOwed(buildDir: string): Promise<Set<string>> {
  const file = owedOf(buildDir);
  if (!existsSync(file)) return new Set();
  const names = (await readFile(file, 'utf8')).split('\0').filter(Boolean);
  await rm(file, { force: true });
  return new Set(names);
}

/** The files git rewrote going from `before` through `via` to HEAD, or null when git cannot say. */
async function rewritten(slot: string, before: string, via: string | null): Promise<Set<string> | null> {
  const files = new Set<string>();
  for (const [a, b] of [
    [before, via ?? 'HEAD'],
    [via ?? 'HEAD', 'HEAD'],
  ] as const) {
    const r = await git(slot, ['diff', '--name-only', '-z', a, b]);
    if (r.code !== 0) return null;
    for (const f of r.stdout.split('\0')) if (f) files.add(f);
  }
  return files;
}

async function setTimes(slot: string, files: Iterable<string>, when: Date): Promise<number> {
  let n = 0;
  for (const f of files) {
    const p = path.join(slot, f);
    if (!existsSync(p)) continue;
    await lutimes(p, when, when);
    n++;
  }
  return n;
}

/**
 * After the slot moved from `before` to its HEAD through `via` (the base it was checked out at
 * before a series was applied; HEAD itself for a base run): when `buildDir` was last built from
 * the tree the slot now holds, ages every file git rewrote on the way and every file it was owed,
 * and owes them to `siblings` (the other build folders of the slot); otherwise gives the files it
 * was owed the current time. Returns how many files were aged.
 */
export async function ageRewrittenFiles(
  slot: string,
  buildDir: string,
  before: string | null,
  via: string | null,
  siblings: string[] = [],
): Promise<number> {
  const owed = await takeOwed(buildDir);
  const record = recordOf(buildDir);
  const tree = await treeOf(slot);
  const vouches = tree !== null && existsSync(record) && (await readFile(record, 'utf8')).trim() === tree;
  const moved = vouches && before ? await rewritten(slot, before, via) : null;
  if (!vouches || (before && !moved)) {
    await setTimes(slot, owed, new Date());
    return 0;
  }
  const files = new Set([...owed, ...(moved ?? [])]);
  const aged = await setTimes(slot, files, OLD);
  if (files.size > 0) {
    const list = [...files].join('\0') + '\0';
    for (const s of siblings) if (s !== buildDir) await appendFile(owedOf(s), list);
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

/** A series folder seeded from the base folder starts with the base folder's record and debts. */
export async function copyBuiltTree(fromDir: string, toDir: string): Promise<void> {
  for (const of of [recordOf, owedOf]) {
    if (existsSync(of(fromDir))) await writeFile(of(toDir), await readFile(of(fromDir)));
    else await rm(of(toDir), { force: true });
  }
}
