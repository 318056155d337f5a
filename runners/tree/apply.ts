/**
 * Applying a series to a tree with `git am -3` in a worktree. Not applying is a result
 * (ApplyResult.ok=false with the failed patch, its subject and the conflicting files), not an
 * error. The base is chosen in order: the series' base-commit when the tree has it, else the
 * configured rev; each try is recorded with its reason.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import type { ApplyAttempt, ApplyResult } from '../types.ts';
import { InfraError } from '../../bot/errors.ts';
import { checkoutSlot } from './slot.ts';
import { amExcerpt, findBaseCommit, parseAmFailure } from './am-output.ts';
import { outsideSymlink } from './symlinks.ts';

export interface ApplyRequest {
  /** The repository holding the objects (the cached tree or a user's clone). */
  tree: string;
  /** The worktree to apply in (a build slot). */
  worktree: string;
  /** The configured rev (branch, tag or sha). */
  base: string;
  /** Reason recorded for the configured rev ("configured branch for list"). */
  baseReason?: string;
  /** An am-ready mbox; absent means build the base itself. */
  mbox?: string;
  /** Apply only the first k patches (bisection). */
  patchLimit?: number;
}

const GIT_ENV = {
  // A minimal environment: simple-git refuses an inherited EDITOR/PAGER, and git needs no more.
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  HOME: process.env.HOME ?? '/tmp',
  GIT_AUTHOR_NAME: 'daxbot',
  GIT_AUTHOR_EMAIL: 'daxbot@localhost',
  GIT_COMMITTER_NAME: 'daxbot',
  GIT_COMMITTER_EMAIL: 'daxbot@localhost',
  // Stable committer dates make patch commits identical across runs of the same series.
  GIT_COMMITTER_DATE: '2026-01-01T00:00:00Z',
};

async function hasCommit(git: SimpleGit, rev: string): Promise<string | null> {
  try {
    return (await git.revparse(['--verify', '--quiet', `${rev}^{commit}`])).trim() || null;
  } catch {
    return null;
  }
}

/**
 * Splits the mbox into one file per patch (git mailsplit) and returns them in order. The am-ready
 * mbox quotes body lines starting with `From ` as mboxrd does (`>From `); --mboxrd takes the quote off.
 */
async function splitMbox(mbox: string, dir: string): Promise<string[]> {
  await simpleGit().raw(['mailsplit', '--mboxrd', `-o${dir}`, mbox]);
  const files = (await readdir(dir))
    .filter((f) => /^\d+$/.test(f))
    .sort()
    .map((f) => path.join(dir, f));
  // A cover letter (0/n) carries no diff and would stop git am as an empty patch.
  const out: string[] = [];
  for (const f of files) if (/^diff --git /m.test(await readFile(f, 'utf8'))) out.push(f);
  return out;
}

async function tryApply(
  req: ApplyRequest,
  base: string,
  reason: string,
  patches: string[],
): Promise<{ attempt: ApplyAttempt; head: string | null; commits: string[] }> {
  const sha = await checkoutSlot(req.tree, req.worktree, base);
  const wt = simpleGit(req.worktree).env(GIT_ENV);
  if (patches.length === 0) return { attempt: { base: sha, reason, ok: true }, head: sha, commits: [] };
  try {
    await wt.raw(['am', '-3', '--keep-cr', ...patches]);
  } catch (err) {
    const output = err instanceof Error ? err.message : String(err);
    if (!/Patch failed at|Patch format detection failed|patch does not apply|error: /.test(output)) {
      await wt.raw(['am', '--abort']).catch(() => undefined);
      throw new InfraError('git am failed for a reason other than the patch', {
        worktree: req.worktree,
        output: output.slice(-2000),
      });
    }
    const failure = parseAmFailure(output);
    // 3-way conflicts leave unmerged paths in the index; git names them more reliably than the text.
    const unmerged = (await wt.raw(['diff', '--name-only', '--diff-filter=U']).catch(() => ''))
      .split('\n')
      .map((s) => s.trim())
      .filter(Boolean);
    let files = [...new Set([...failure.conflictFiles, ...unmerged])];
    const failedFile = failure.failedPatch === undefined ? undefined : patches[failure.failedPatch - 1];
    if (files.length === 0 && failedFile) {
      // No 3-way attempt named files: ask git apply which hunks fail on the partly applied tree.
      const check = await wt.raw(['apply', '--check', failedFile]).then(
        () => '',
        (e: unknown) => (e instanceof Error ? e.message : String(e)),
      );
      files = parseAmFailure(check).conflictFiles;
    }
    await wt.raw(['am', '--abort']).catch(() => undefined);
    const attempt: ApplyAttempt = { base: sha, reason, ok: false, conflictFiles: files, output: amExcerpt(output) };
    if (failure.failedPatch !== undefined) attempt.failedPatch = failure.failedPatch;
    if (failure.failedSubject !== undefined) attempt.failedSubject = failure.failedSubject;
    return { attempt, head: null, commits: [] };
  }
  const head = (await wt.revparse(['HEAD'])).trim();
  const log = await wt.raw(['rev-list', '--reverse', `${sha}..${head}`]);
  return {
    attempt: { base: sha, reason, ok: true },
    head,
    commits: log
      .split('\n')
      .map((s) => s.trim())
      .filter(Boolean),
  };
}

/**
 * A series that adds a symlink pointing outside the tree is refused before anything is checked
 * out: the attempt names the patch, the link and its target.
 */
async function refusedSymlink(patches: string[], base: string, reason: string): Promise<ApplyAttempt | null> {
  for (const [i, file] of patches.entries()) {
    const link = outsideSymlink(await readFile(file, 'utf8'));
    if (!link) continue;
    const output = `refused: patch ${i + 1} adds a symbolic link ${link.path} -> ${link.target}, outside the tree`;
    return { base, reason, ok: false, failedPatch: i + 1, conflictFiles: [link.path], output };
  }
  return null;
}

/** Checks out the base in the worktree and applies the series; leaves HEAD at the result. */
export async function applySeries(req: ApplyRequest): Promise<ApplyResult> {
  const repo = simpleGit(req.tree);
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'daxbot-am-'));
  try {
    let patches: string[] = [];
    const candidates: { rev: string; reason: string }[] = [];
    const configuredReason = req.baseReason ?? 'configured base';
    if (req.mbox) {
      patches = await splitMbox(req.mbox, tmp);
      if (req.patchLimit !== undefined) patches = patches.slice(0, req.patchLimit);
      const hint = findBaseCommit(await readFile(req.mbox, 'utf8'));
      if (hint && (await hasCommit(repo, hint))) candidates.push({ rev: hint, reason: 'base-commit trailer' });
      else if (hint)
        candidates.push({ rev: req.base, reason: `${configuredReason} (base-commit ${hint} is not in the tree)` });
    }
    const configuredSha = await hasCommit(repo, req.base);
    if (!configuredSha)
      throw new InfraError(`base ${req.base} not found in ${req.tree}`, { tree: req.tree, base: req.base });
    const refused = await refusedSymlink(patches, configuredSha, candidates[0]?.reason ?? configuredReason);
    if (refused) return { ok: false, base: configuredSha, head: null, patchCommits: [], attempts: [refused] };
    const tried = await Promise.all(candidates.map((c) => hasCommit(repo, c.rev)));
    if (!tried.includes(configuredSha)) candidates.push({ rev: req.base, reason: configuredReason });

    const attempts: ApplyAttempt[] = [];
    for (const c of candidates) {
      const r = await tryApply(req, c.rev, c.reason, patches);
      attempts.push(r.attempt);
      if (r.attempt.ok) return { ok: true, base: r.attempt.base, head: r.head, patchCommits: r.commits, attempts };
    }
    return { ok: false, base: attempts[0]?.base ?? null, head: null, patchCommits: [], attempts };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
