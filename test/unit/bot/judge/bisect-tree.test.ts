/** Real git: a temporary repository with 20 commits, commit 13 introduces the "bug". */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bisectTree, defaultGitExec, type GitExec } from '../../../../bot/judge/bisect-tree.ts';

let repo = '';
const shas: string[] = [];
const env = {
  ...process.env,
  GIT_AUTHOR_NAME: 't',
  GIT_AUTHOR_EMAIL: 't@x',
  GIT_COMMITTER_NAME: 't',
  GIT_COMMITTER_EMAIL: 't@x',
};
const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, env, encoding: 'utf8' }).trim();

beforeAll(() => {
  repo = mkdtempSync(join(tmpdir(), 'daxbot-bisect-'));
  git('init', '-q', '-b', 'main');
  for (let i = 1; i <= 20; i++) {
    writeFileSync(join(repo, 'value'), i >= 13 ? 'bug\n' : 'ok\n');
    // Commits 7 and 12 do not build (each test decides which breakage it sees).
    writeFileSync(join(repo, 'build'), i === 7 || i === 12 ? `broken-${i}\n` : 'fine\n');
    writeFileSync(join(repo, 'n'), `${i}\n`);
    git('add', '-A');
    git('commit', '-q', '-m', `commit ${i}`);
    shas.push(git('rev-parse', 'HEAD'));
  }
});

afterAll(() => rmSync(repo, { recursive: true, force: true }));

const show = (commit: string, file: string) => git('show', `${commit}:${file}`);
const byContent = (skip: Set<string>) => async (commit: string) => {
  if (skip.has(show(commit, 'build'))) return 'skip' as const;
  return show(commit, 'value') === 'bug' ? ('bad' as const) : ('good' as const);
};

describe('bisectTree', () => {
  it('finds commit 13 with real git bisect, skipping unbuildable commits', async () => {
    const tested: string[] = [];
    const headBefore = git('rev-parse', 'HEAD');
    const r = await bisectTree({
      tree: repo,
      good: shas[0] ?? '',
      bad: 'main',
      test: async (c) => {
        tested.push(show(c, 'n'));
        // The first commit git offers (the midpoint, far from 12 and 13) is treated as unbuildable too.
        if (tested.length === 1) return 'skip';
        return byContent(new Set(['broken-7']))(c);
      },
    });
    expect(r.steps[0]?.result).toBe('skip');
    expect(['12', '13']).not.toContain(tested[0]);
    expect(r.firstBad).toBe(shas[12]);
    expect(show(r.firstBad ?? '', 'n')).toBe('13');
    expect(r.steps.length).toBeLessThanOrEqual(7);
    expect(r.log).toMatch(/git bisect start/);
    // the bisection is cleaned up and the checkout untouched
    expect(git('rev-parse', 'HEAD')).toBe(headBefore);
    expect(() => git('bisect', 'log')).toThrow();
  });

  it('reports candidates when a skipped commit hides the answer', async () => {
    // Commit 12 does not build and commit 13 is first bad: git cannot tell 12 from 13.
    const r = await bisectTree({
      tree: repo,
      good: shas[7] ?? '',
      bad: shas[19] ?? '',
      test: byContent(new Set(['broken-7', 'broken-12'])),
    });
    expect(r.firstBad).toBeNull();
    expect(new Set(r.candidates)).toEqual(new Set([shas[11], shas[12]]));
  });

  it('passes every git call through the injected exec and refuses to clobber a running bisection', async () => {
    const calls: string[] = [];
    const exec: GitExec = (args, cwd) => {
      calls.push(args.slice(0, 2).join(' '));
      return defaultGitExec(args, cwd);
    };
    await bisectTree({ tree: repo, good: shas[9] ?? '', bad: shas[15] ?? '', test: byContent(new Set()), exec });
    expect(calls[0]).toBe('bisect log');
    expect(calls).toContain('bisect start');
    expect(calls.at(-1)).toBe('bisect reset');

    git('bisect', 'start', '--no-checkout', shas[19] ?? '', shas[0] ?? '');
    try {
      await expect(
        bisectTree({ tree: repo, good: shas[0] ?? '', bad: shas[19] ?? '', test: byContent(new Set()) }),
      ).rejects.toThrow(/already in progress/);
    } finally {
      git('bisect', 'reset');
    }
  });
});
