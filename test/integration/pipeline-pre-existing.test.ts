/**
 * A failure the base has too is pre-existing, never blamed on the author (heavy: real git, kernel
 * builds and QEMU). The base is a branch of the cached 6.1 tree that already carries a NULL
 * dereference on the ext4 DAX mount path (test/fixtures/patches/ext4-dax-null-deref.mbox); the
 * clean two-patch demo series is tested on it. Both sides crash the same way, so the verdict is
 * "pre-existing-only": nothing to bisect, and the reply (pass replies on) says so without blame.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../bot/log.ts';
import { runCycle } from '../../bot/queue/cycle.ts';
import { wirePipeline } from '../../bot/wire.ts';
import { listJobs } from '../../bot/store/jobs.ts';
import { jobRuns } from '../../bot/store/runs.ts';
import { openStore } from '../../bot/store/store.ts';
import { loadConfig } from '../../config/load.ts';
import { ensureLinuxTree } from '../../runners/tree/setup.ts';
import { kernelCacheDir, kernelTestsAvailable, repoRoot, writeDemoConfig } from '../helpers/kernel-env.ts';

const BRANCH = 'daxbot-test/pre-existing';
const dir = mkdtempSync(path.join(tmpdir(), 'daxbot-preexisting-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The branch: the tree's tag plus the crashing ext4 patch (made once, then reused). */
function ensureCrashingBranch(tree: string, tag: string): void {
  try {
    execFileSync('git', ['-C', tree, 'rev-parse', '--verify', '-q', `refs/heads/${BRANCH}`], { stdio: 'ignore' });
    return;
  } catch {
    // not made yet
  }
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
      path.join(repoRoot, 'test/fixtures/patches/ext4-dax-null-deref.mbox'),
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
}

/** The clean series of the demo inbox, without its base-commit trailer (so the branch is the base). */
function cleanSeriesMbox(): string {
  const inbox = readFileSync(path.join(repoRoot, 'test/fixtures/demo/inbox.mbox'), 'utf8');
  const mails = inbox.split(/^(?=From \S+ )/m).filter((m) => m.includes('1795317600'));
  const file = path.join(dir, 'clean.mbox');
  writeFileSync(file, mails.join('').replace(/^base-commit: .*\n/m, ''));
  return file;
}

describe.skipIf(!kernelTestsAvailable())('a failure the base has too (heavy)', () => {
  it(
    'is reported as pre-existing: not blamed, not bisected',
    async () => {
      const tree = await ensureLinuxTree(kernelCacheDir, silentLogger());
      ensureCrashingBranch(tree.path, tree.tag);
      const configFile = writeDemoConfig(dir, (t) =>
        t
          .replace(/path: \S*inbox\.mbox/, `path: ${cleanSeriesMbox()}`)
          .replace(/^ {4}branch: HEAD$/m, `    branch: ${BRANCH}`)
          .replace(/^ {2}replyOnPass:.*$/m, '  replyOnPass: true')
          .replace(/^ {2}confirmRepeats:.*$/m, '  confirmRepeats: 0'),
      );
      const loaded = loadConfig(configFile, process.env);
      if (!loaded.ok) throw new Error(loaded.errors.join('; '));
      expect(loaded.config.trees[0]?.branch).toBe(BRANCH);
      const store = await openStore(path.join(dir, 'db.sqlite'));
      const deps = wirePipeline({
        config: loaded.config,
        store,
        log: silentLogger(),
        repoRoot,
        env: process.env,
        configDir: dir,
        cwd: repoRoot,
      });
      await runCycle(deps, { since: null });

      const jobs = await listJobs(store.db, {});
      expect(jobs).toHaveLength(1);
      const job = jobs[0];
      expect(job?.outcome, job?.summary ?? '').toBe('pre-existing-only');
      const runs = await jobRuns(store.db, job?.id ?? -1);
      expect(runs.filter((r) => r.role === 'bisect')).toEqual([]);
      // The crashed guest printed its results, then hung in poweroff: stopped at once (issue 16).
      for (const r of runs) {
        const note =
          r.result.consoleLog && existsSync(r.result.consoleLog)
            ? readFileSync(r.result.consoleLog, 'utf8').trimEnd().split('\n').pop()
            : '';
        process.stderr.write(
          `pipeline pre-existing: ${r.role} run: ${r.result.timings.shutdownMs} ms from done to QEMU gone; ${note}\n`,
        );
        if (r.result.timings.shutdownMs !== undefined) expect(r.result.timings.shutdownMs).toBeLessThan(2_000);
      }
      const files = readdirSync(path.join(dir, 'outbox', 'new'));
      expect(files).toHaveLength(1);
      const reply = readFileSync(path.join(dir, 'outbox', 'new', files[0] ?? ''), 'utf8');
      expect(reply).toContain('found no new failures');
      expect(reply).toMatch(/not blamed on\s+the\s+series/);
      expect(reply).toMatch(/pre-existing/);
      expect(reply.replace(/\s+/g, ' ')).toMatch(
        /Also on the base: BUG: (unable to handle )?kernel NULL pointer dereference in ext4_dax_bsize_ok/,
      );
      expect(reply).not.toContain('Reported-by:');
      expect(reply).toMatch(/branch\s+daxbot-test\/pre-existing/);
      await store.close();
    },
    60 * 60_000,
  );
});
