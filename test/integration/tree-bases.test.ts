/**
 * Blob matching and the trial `git am -3`, with real git on a tree with history: a series made on
 * an older commit names that commit's blobs; the newest commit with those blobs is found (not the
 * head, where a later commit changed one of the files, and not an older one); the trial applies it
 * there and reports the conflicting file at the head, in a sparse worktree holding only the
 * series' files.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { splitMbox } from '../../runners/tree/apply.ts';
import { matchOnBranch, missingBlobs } from '../../runners/tree/blob-match.ts';
import { seriesFiles } from '../../runners/tree/series-blobs.ts';
import { trialAm, trialDirFor } from '../../runners/tree/trial-am.ts';
import { commitFiles, editLine, formatPatches, git, initRepo, lines } from '../helpers/git-repo.ts';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'daxbot-bases-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const repo = initRepo(path.join(tmp, 'linux'));
const dax = lines('dax');
const memory = lines('memory');
const c1 = commitFiles(repo, { 'fs/dax.c': dax, 'mm/memory.c': memory, README: 'r\n' }, 'one');
const c2 = commitFiles(repo, { 'fs/dax.c': editLine(dax, 30, 'dax thirty') }, 'two: dax');
const c2b = commitFiles(repo, { README: 'readme\n' }, 'two and a half: unrelated');
// The series, made on c2b: both files changed near their top.
git(repo, 'checkout', '-q', '-b', 'author', c2b);
commitFiles(repo, { 'fs/dax.c': editLine(editLine(dax, 30, 'dax thirty'), 2, 'dax two by the series') }, 'series 1');
commitFiles(repo, { 'mm/memory.c': editLine(memory, 3, 'memory three by the series') }, 'series 2');
const mbox = path.join(tmp, 'series.mbox');
writeFileSync(mbox, formatPatches(repo, `${c2b}..author`));
git(repo, 'checkout', '-q', 'main');
// Upstream moves on: memory.c changes on the very line the series changes, then something unrelated.
const c3 = commitFiles(repo, { 'mm/memory.c': editLine(memory, 3, 'memory three upstream') }, 'three: memory');
const c4 = commitFiles(repo, { README: 'readme 4\n' }, 'four: unrelated');
git(repo, 'branch', '-q', '-D', 'author');

describe('blob matching on a tree with history', () => {
  const files = seriesFiles(readFileText(mbox));

  it('takes the blobs of the series base from the index lines', () => {
    expect(files.preimages.map((p) => p.path)).toEqual(['fs/dax.c', 'mm/memory.c']);
  });

  it('finds the newest commit whose files have the blobs (the parent of the change that moved on)', async () => {
    expect(await missingBlobs(repo, files.preimages)).toEqual([]);
    const m = await matchOnBranch(repo, 'main', files.preimages);
    expect(m).toMatchObject({ branch: 'main', commit: c2b, matched: 2, total: 2, walked: 1 });
    expect([c1, c2, c3, c4]).not.toContain(m.commit);
  });

  it('says how close it came when nothing matches', async () => {
    const m = await matchOnBranch(repo, 'main', [...files.preimages, { path: 'README', blob: 'abcdef1' }]);
    expect(m).toMatchObject({ commit: null, matched: 2, total: 3 });
    expect(await missingBlobs(repo, [{ path: 'README', blob: 'abcdef1' }])).toHaveLength(1);
  });
});

describe('trial git am -3 in a sparse worktree', () => {
  const trialDir = trialDirFor(path.join(tmp, 'cache'), repo);

  it('applies on the matched base, and names the conflicting file at the head', async () => {
    const patches = await splitMbox(mbox, mkdtempSync(path.join(tmp, 'split-')));
    const { paths } = seriesFiles(readFileText(mbox));
    const atHead = await trialAm({ repo, trialDir, base: c4, reason: 'head of main', patches, paths });
    expect(atHead.head).toBeNull();
    expect(atHead.attempt).toMatchObject({ ok: false, failedPatch: 2, conflictFiles: ['mm/memory.c'] });
    const onBase = await trialAm({
      repo,
      trialDir,
      base: c2b,
      reason: 'blobs',
      patches,
      paths,
      keepRef: 'refs/daxbot/t',
    });
    expect(onBase.attempt).toMatchObject({ ok: true, base: c2b });
    expect(git(repo, 'rev-parse', 'refs/daxbot/t')).toBe(onBase.head);
    // Only the series' files are in the trial worktree; the shared repository's config is as it was.
    expect(readdirSync(trialDir).sort()).toEqual(['.git', 'fs', 'mm']);
    expect(existsSync(path.join(trialDir, 'README'))).toBe(false);
    expect(() => execFileSync('git', ['-C', repo, 'config', '--get', 'core.sparseCheckout'])).toThrow();
  });
});

function readFileText(p: string): string {
  return readFileSync(p, 'utf8');
}
