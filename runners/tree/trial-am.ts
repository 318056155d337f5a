/**
 * A trial `git am -3` of a series on a commit, cheap enough to try every candidate tree: each
 * repository has one trial worktree (under the cache folder) that is a sparse checkout of only the
 * paths the series touches, so moving it between bases rewrites a handful of files instead of a
 * kernel tree. The sparse patterns live in the worktree's own git folder and sparse checkout is
 * switched on per command (`-c core.sparseCheckout=true`): the shared repository's configuration
 * is never changed. A success can leave its result under a ref (a base with its prerequisite
 * series applied); otherwise nothing of the trial outlives it.
 */
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { simpleGit } from 'simple-git';
import { InfraError, errorMessage } from '../../bot/errors.ts';
import type { ApplyAttempt } from '../types.ts';
import { amOnto } from './apply.ts';
import { commitOf } from './git-run.ts';
import { withSlotLock } from './slot-lock.ts';
import { treeSlug } from './slot.ts';

const SPARSE = ['-c', 'core.sparseCheckout=true'];

export interface TrialRequest {
  /** The repository holding the objects. */
  repo: string;
  /** Its trial worktree (trialDirFor). */
  trialDir: string;
  /** The commit to apply on. */
  base: string;
  /** Why this base, recorded in the attempt. */
  reason: string;
  /** Patch files in order (git mailsplit output, see splitMbox). */
  patches: string[];
  /** Every path the patches name (seriesFiles().paths): the only files checked out. */
  paths: string[];
  /** On success, point this ref at the result (e.g. refs/daxbot/prereq/<key>). */
  keepRef?: string;
}

export interface TrialResult {
  attempt: ApplyAttempt;
  /** The commit after the last patch, when it applied. */
  head: string | null;
}

/** `<cacheDir>/trials/<treeSlug>`: one trial worktree per repository. */
export function trialDirFor(cacheDir: string, repo: string): string {
  return path.join(cacheDir, 'trials', treeSlug(repo));
}

/** A path as a non-cone sparse-checkout pattern: anchored, glob characters escaped. */
export function sparsePattern(p: string): string {
  return `/${p.replace(/[\\*?[\]!#]/g, (c) => `\\${c}`).replace(/ $/, '\\ ')}`;
}

async function prepareWorktree(repo: string, dir: string, sha: string, paths: string[]): Promise<void> {
  const main = simpleGit(repo);
  if (!existsSync(path.join(dir, '.git'))) {
    await rm(dir, { recursive: true, force: true });
    await main.raw(['worktree', 'prune']);
    await mkdir(path.dirname(dir), { recursive: true });
    await main.raw(['worktree', 'add', '--no-checkout', '--detach', '--force', dir, sha]);
  }
  const wt = simpleGit(dir);
  const gitDir = path.resolve(dir, (await wt.revparse(['--git-dir'])).trim());
  // A failed trial only dropped its am state (--quit): the reset below restores the files.
  if (existsSync(path.join(gitDir, 'rebase-apply'))) await wt.raw([...SPARSE, 'am', '--quit']);
  await mkdir(path.join(gitDir, 'info'), { recursive: true });
  await writeFile(path.join(gitDir, 'info', 'sparse-checkout'), paths.map(sparsePattern).join('\n') + '\n');
  // One index write: the base's tree, with exactly this series' paths checked out.
  await wt.raw([...SPARSE, 'read-tree', '--reset', '-u', sha]);
  await wt.raw(['update-ref', '--no-deref', 'HEAD', sha]);
  await wt.raw([...SPARSE, 'clean', '-fdq']);
}

/** Applies the patches on `base` in the trial worktree; never touches a build slot. */
export async function trialAm(req: TrialRequest): Promise<TrialResult> {
  const sha = await commitOf(req.repo, req.base);
  if (!sha) throw new InfraError(`rev ${req.base} not found in ${req.repo}`, { repo: req.repo, rev: req.base });
  return withSlotLock(req.trialDir, async () => {
    try {
      await prepareWorktree(req.repo, req.trialDir, sha, req.paths);
    } catch (err) {
      throw new InfraError(`cannot prepare the trial worktree ${req.trialDir}`, {
        repo: req.repo,
        cause: errorMessage(err),
      });
    }
    const r = await amOnto(req.trialDir, sha, req.reason, req.patches, { config: SPARSE, quitOnFailure: true });
    if (r.head && req.keepRef) await simpleGit(req.repo).raw(['update-ref', req.keepRef, r.head]);
    return { attempt: r.attempt, head: r.head };
  });
}
