/**
 * applySeries with real git on a small repository: base choice (base-commit trailer, configured
 * rev), a conflict without the preimage blob (no 3-way possible), patchLimit, and the worktree
 * being reset between jobs.
 */
import { execFileSync } from 'node:child_process';
import { symlinkSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applySeries } from '../../runners/tree/apply.ts';

const env = {
  ...process.env,
  GIT_AUTHOR_NAME: 'T',
  GIT_AUTHOR_EMAIL: 't@e',
  GIT_COMMITTER_NAME: 'T',
  GIT_COMMITTER_EMAIL: 't@e',
};
const git = (cwd: string, ...args: string[]): string =>
  execFileSync('git', args, { cwd, env, encoding: 'utf8' }).trim();

describe('applySeries (real git)', () => {
  let dir: string;
  let tree: string;
  let base: string;
  let series: string;
  let conflict: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'daxbot-apply-'));
    tree = path.join(dir, 'tree');
    const other = path.join(dir, 'other');
    execFileSync('git', ['init', '-q', '-b', 'master', tree]);
    await writeFile(path.join(tree, 'a.c'), 'one\ntwo\nthree\nfour\nfive\n');
    await writeFile(path.join(tree, 'b.c'), 'alpha\nbeta\ngamma\n');
    git(tree, 'add', '-A');
    git(tree, 'commit', '-qm', 'base');
    base = git(tree, 'rev-parse', 'HEAD');
    // The series is written in a clone, so its intermediate blobs are not in the tree.
    execFileSync('git', ['clone', '-q', tree, other]);
    await writeFile(path.join(other, 'a.c'), 'one\ntwo\nTHREE\nfour\nfive\n');
    git(other, 'commit', '-qam', 'a: shout three');
    await writeFile(path.join(other, 'b.c'), 'alpha\nBETA\ngamma\n');
    git(other, 'commit', '-qam', 'b: shout beta');
    series = path.join(dir, 'series.mbox');
    await writeFile(series, git(other, 'format-patch', '--stdout', '--base', base, '-2') + '\n');
    await writeFile(path.join(other, 'b.c'), 'alpha\nBeta!\ngamma\n');
    git(other, 'commit', '-qam', 'not sent');
    await writeFile(path.join(other, 'b.c'), 'alpha\nBeta!!\ngamma\n');
    git(other, 'commit', '-qam', 'b: more excitement');
    conflict = path.join(dir, 'conflict.mbox');
    const p1 = git(other, 'format-patch', '--stdout', '-1', 'HEAD~3');
    const p2 = git(other, 'format-patch', '--stdout', '-1', 'HEAD');
    await writeFile(conflict, `${p1}\n${p2}\n`);
    // A newer commit on the tree: the configured branch differs from the series' base-commit.
    await writeFile(path.join(tree, 'c.c'), 'new\n');
    git(tree, 'add', 'c.c');
    git(tree, 'commit', '-qm', 'later');
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('refuses a series that adds a symlink pointing outside the tree, and applies one that stays inside', async () => {
    const links = path.join(dir, 'links');
    execFileSync('git', ['clone', '-q', tree, links]);
    symlinkSync('a.c', path.join(links, 'inside'));
    git(links, 'add', 'inside');
    git(links, 'commit', '-qm', 'inside: a link to a.c');
    symlinkSync('/etc/shadow', path.join(links, 'shadow'));
    git(links, 'add', 'shadow');
    git(links, 'commit', '-qm', 'shadow: a link out of the tree');
    const mbox = path.join(dir, 'links.mbox');
    await writeFile(mbox, git(links, 'format-patch', '--stdout', '-2') + '\n');
    const wt = path.join(dir, 'wt-links');
    const r = await applySeries({ tree, worktree: wt, base: 'master', mbox });
    expect(r.ok).toBe(false);
    expect(r.attempts).toHaveLength(1);
    expect(r.attempts[0]).toMatchObject({ ok: false, failedPatch: 2, conflictFiles: ['shadow'] });
    expect(r.attempts[0]?.output).toBe('refused: patch 2 adds a symbolic link shadow -> /etc/shadow, outside the tree');
    const inside = await applySeries({ tree, worktree: wt, base: 'master', mbox, patchLimit: 1 });
    expect(inside.ok).toBe(true);
  });

  it('applies on the base-commit when the tree has it', async () => {
    const r = await applySeries({ tree, worktree: path.join(dir, 'wt'), base: 'master', mbox: series });
    expect(r.ok).toBe(true);
    expect(r.base).toBe(base);
    expect(r.attempts).toEqual([{ base, reason: 'base-commit trailer', ok: true }]);
    expect(r.patchCommits).toHaveLength(2);
  });

  it('applies only the first k patches', async () => {
    const r = await applySeries({ tree, worktree: path.join(dir, 'wt'), base: 'master', mbox: series, patchLimit: 1 });
    expect(r.ok).toBe(true);
    expect(r.patchCommits).toHaveLength(1);
    expect(git(path.join(dir, 'wt'), 'log', '-1', '--format=%s')).toBe('a: shout three');
  });

  it('takes the mboxrd quote off a commit message line that starts with From', async () => {
    const other = path.join(dir, 'other-from');
    execFileSync('git', ['clone', '-q', tree, other]);
    await writeFile(path.join(other, 'a.c'), 'one\ntwo\nthree\nfour\nFIVE\n');
    git(other, 'commit', '-qam', 'a: shout five\n\nFrom above description, we can see five is quiet.');
    // The am-ready mbox quotes it, as b4 and `daxbot series am` write it.
    const quoted = git(other, 'format-patch', '--stdout', '-1').replace(/^From above/m, '>From above');
    const mbox = path.join(dir, 'quoted.mbox');
    await writeFile(mbox, `${quoted}\n`);
    const wt = path.join(dir, 'wt');
    const r = await applySeries({ tree, worktree: wt, base: 'master', mbox });
    expect(r.ok).toBe(true);
    expect(git(wt, 'log', '-1', '--format=%b')).toBe('From above description, we can see five is quiet.');
  });

  it('reports the failed patch, its subject and the file, and leaves no am in progress', async () => {
    const wt = path.join(dir, 'wt');
    const r = await applySeries({
      tree,
      worktree: wt,
      base: 'master',
      baseReason: 'configured branch',
      mbox: conflict,
    });
    expect(r.ok).toBe(false);
    const a = r.attempts[0];
    expect(a?.reason).toBe('configured branch');
    expect(a?.failedPatch).toBe(2);
    expect(a?.failedSubject).toBe('b: more excitement');
    expect(a?.conflictFiles).toEqual(['b.c']);
    expect(a?.output).toContain('Patch failed at 0002');
    expect(git(wt, 'status', '--porcelain')).toBe('');
    // The next job in the same worktree starts clean.
    const again = await applySeries({ tree, worktree: wt, base: 'master', mbox: series });
    expect(again.ok).toBe(true);
  });
});
