/**
 * `daxbot bisect` along a real tree, through the CLI (heavy: real git bisect, kernel builds and
 * QEMU at each step). The tree is a branch of the cached 6.1 tree carrying the demo inbox's
 * five-patch series as commits, the third of which dereferences NULL on the ext4 DAX mount path:
 * what a maintainer did by hand in ../shared/seeds/000, named by the crash's title. The CLI
 * prints the report to post in the regression report's thread, with its regzbot line.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../bot/log.ts';
import { ensureLinuxTree } from '../../runners/tree/setup.ts';
import { kernelCacheDir, kernelTestsAvailable, repoRoot, writeDemoConfig } from '../helpers/kernel-env.ts';

const BRANCH = 'daxbot-test/bisect-five';
const dir = mkdtempSync(path.join(tmpdir(), 'daxbot-bisect-kernel-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The five-patch demo series as commits on the tag (made once, then reused). */
function ensureBranch(tree: string, tag: string): string[] {
  const log = (): string[] =>
    execFileSync('git', ['-C', tree, 'rev-list', '--reverse', `${tag}..${BRANCH}`], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean);
  try {
    execFileSync('git', ['-C', tree, 'rev-parse', '--verify', '-q', `refs/heads/${BRANCH}`], { stdio: 'ignore' });
    return log();
  } catch {
    // not made yet
  }
  const inbox = readFileSync(path.join(repoRoot, 'test/fixtures/demo/inbox.mbox'), 'utf8');
  const patches = inbox
    .split(/^(?=From [0-9a-f]{40} )/m)
    .filter((m) => m.includes('.1795320939.') && /^Subject: \[PATCH [1-5]\/5\]/m.test(m));
  const mbox = path.join(dir, 'five.mbox');
  writeFileSync(mbox, patches.join(''));
  const wt = path.join(dir, 'make-branch');
  execFileSync('git', ['-C', tree, 'worktree', 'add', '-q', '--detach', wt, tag]);
  try {
    execFileSync('git', [
      '-C',
      wt,
      '-c',
      'user.name=daxbot test',
      '-c',
      'user.email=test@daxbot.localhost',
      'am',
      '-q',
      mbox,
    ]);
    execFileSync('git', [
      '-C',
      tree,
      'branch',
      '-f',
      BRANCH,
      execFileSync('git', ['-C', wt, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim(),
    ]);
  } finally {
    execFileSync('git', ['-C', tree, 'worktree', 'remove', '--force', wt]);
  }
  return log();
}

describe.skipIf(!kernelTestsAvailable(['mkfs.xfs']))('daxbot bisect along a real tree (heavy)', () => {
  it('names the commit that brought the crash, one build and boot per step', async () => {
    const tree = await ensureLinuxTree(kernelCacheDir, silentLogger());
    const commits = ensureBranch(tree.path, tree.tag);
    expect(commits).toHaveLength(5);
    const configFile = writeDemoConfig(dir);
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        path.join(repoRoot, 'bin', 'daxbot.js'),
        '--config',
        configFile,
        '--db',
        path.join(dir, 'db.sqlite'),
        'bisect',
        '--tree',
        tree.path,
        '--good',
        tree.tag,
        '--bad',
        BRANCH,
        '--test',
        'crash:BUG: unable to handle kernel NULL pointer dereference in ext4_dax_bsize_ok',
        '--suite',
        'dax',
        '--in-reply-to',
        '<oops-report@example.org>',
      ],
      {
        cwd: repoRoot,
        env: { ...process.env, DAXBOT_CACHE_DIR: kernelCacheDir, DAXBOT_LOG_LEVEL: 'warn' },
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    // The report to post in the regression report's thread (render/tree-bisection.ts).
    const lines = stdout.split('\n');
    const steps = lines.filter((l) => /^ {2}(good|bad|skip): +[0-9a-f]{12} /.test(l));
    // 5 commits between good and bad: git bisect needs at most ceil(log2 5) = 3 steps.
    expect(steps.length, stdout).toBeGreaterThan(0);
    expect(steps.length, stdout).toBeLessThanOrEqual(3);
    expect(lines).toContain(
      `first bad commit: [${commits[2] ?? ''}] ext4: refuse DAX when the journal block size is larger than the fs block`,
    );
    expect(lines).toContain(`#regzbot ^introduced: ${(commits[2] ?? '').slice(0, 12)}`);
  }, 3_600_000);
});
