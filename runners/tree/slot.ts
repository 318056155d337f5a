/**
 * Build slots: one persistent detached worktree per (tree, config). Every job for that pair checks
 * its commit out in the same folder, so the kernel build folder (O=) sees the same source path and
 * git only rewrites files that differ: make then recompiles just those.
 */
import { createHash } from 'node:crypto';
import { existsSync, realpathSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { simpleGit } from 'simple-git';
import { errorMessage } from '../../config/errors.ts';
import { InfraError } from '../errors.ts';

/** A stable short name for a tree: its folder name plus a hash of its absolute path. */
export function treeSlug(tree: string): string {
  // The real path: the same tree reached through a symlink (var/cache -> ~/.cache/daxbot) must
  // share its build folders, or every build there starts from nothing.
  let abs = path.resolve(tree);
  try {
    abs = realpathSync(abs);
  } catch {
    // not there yet: the path as given
  }
  const h = createHash('sha256').update(abs).digest('hex').slice(0, 6);
  return `${path.basename(abs).replace(/[^A-Za-z0-9._-]/g, '_')}-${h}`;
}

/** `<cacheDir>/slots/<treeSlug>-<configHash>` */
export function slotDirFor(cacheDir: string, tree: string, configHash: string): string {
  return path.join(cacheDir, 'slots', `${treeSlug(tree)}-${configHash}`);
}

/**
 * Makes sure `slotDir` is a worktree of `tree` and resets it to `rev` (detached, clean). An
 * interrupted `git am` from an earlier run is aborted first. Returns the full sha checked out.
 */
export async function checkoutSlot(tree: string, slotDir: string, rev: string): Promise<string> {
  const repo = simpleGit(tree);
  let sha: string;
  try {
    sha = (await repo.revparse([`${rev}^{commit}`])).trim();
  } catch (err) {
    throw new InfraError(`rev ${rev} not found in ${tree}`, { tree, rev, cause: errorMessage(err) });
  }
  try {
    if (!existsSync(path.join(slotDir, '.git'))) {
      await rm(slotDir, { recursive: true, force: true });
      await repo.raw(['worktree', 'prune']);
      await mkdir(path.dirname(slotDir), { recursive: true });
      await repo.raw(['worktree', 'add', '--detach', '--force', slotDir, sha]);
      return sha;
    }
    const wt = simpleGit(slotDir);
    await wt.raw(['am', '--abort']).catch(() => undefined);
    await wt.raw(['checkout', '--detach', '--force', sha]);
    // Leftovers from a failed apply (rejected hunks, untracked files of a half-applied patch).
    await wt.raw(['clean', '-fdq']);
    return sha;
  } catch (err) {
    throw new InfraError(`cannot prepare worktree ${slotDir}`, { tree, slotDir, rev, cause: errorMessage(err) });
  }
}
