/**
 * `daxbot bisect` along a tree, with real git bisect on a temporary repository. The runner is a
 * stand-in that "crashes" when the commit's marker file says so (no kernel is built here;
 * the runner's own tests build kernels).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bisectTree } from '../../bot/judge/bisect-tree.ts';
import { silentLogger } from '../../bot/log.ts';
import { treeStepTest } from '../../bot/jobs/tree-step.ts';
import type { Runner } from '../../runners/types.ts';
import { crashFinding, runResult } from '../helpers/pipeline-fakes.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'daxbot-bisect-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function git(...args: string[]): string {
  return execFileSync('git', ['-C', dir, '-c', 'user.name=t', '-c', 'user.email=t@example.org', ...args], {
    encoding: 'utf8',
  }).trim();
}

describe('bisect along a tree', () => {
  it('finds the commit that introduced the crash, in log2 steps', async () => {
    git('init', '-q');
    const shas: string[] = [];
    for (let i = 0; i < 16; i++) {
      writeFileSync(path.join(dir, 'state'), i >= 11 ? 'crash\n' : 'fine\n');
      writeFileSync(path.join(dir, 'n'), `${i}\n`);
      git('add', '.');
      git('commit', '-q', '-m', `commit ${i}`);
      shas.push(git('rev-parse', 'HEAD'));
    }
    const runner: Runner = {
      name: 'marker',
      description: 'crashes when the state file says so',
      async run(req) {
        const state = execFileSync('git', ['-C', req.tree, 'show', `${req.base}:state`], { encoding: 'utf8' });
        return state.startsWith('crash')
          ? runResult({ findings: [crashFinding], failureClass: 'kernel' })
          : runResult();
      },
    };
    const result = await bisectTree({
      tree: dir,
      good: shas[0] ?? '',
      bad: shas[15] ?? '',
      test: treeStepTest({
        runner,
        tree: dir,
        workDir: path.join(dir, '.work'),
        test: `crash:${crashFinding.title}`,
        log: silentLogger(),
      }),
    });
    expect(result.firstBad).toBe(shas[11]);
    expect(result.steps.length).toBeLessThanOrEqual(4);
  });
});
