/**
 * Drives a real `git bisect` along a tree's history (for regressions the base already has,
 * or a series merged upstream). git chooses the commits; the injected `test` builds and boots
 * each one. `--no-checkout` keeps the work tree untouched: the runner makes its own worktree
 * per commit, and other jobs may be using this checkout.
 */
import { execFile } from 'node:child_process';
import { InfraError } from '../errors.ts';

export interface ExecResult {
  stdout: string;
  stderr: string;
  code: number;
}

export type GitExec = (args: string[], cwd: string) => Promise<ExecResult>;

export type TreeStepResult = 'good' | 'bad' | 'skip';

export interface TreeBisectOptions {
  tree: string;
  good: string;
  bad: string;
  test: (commit: string) => Promise<TreeStepResult>;
  exec?: GitExec;
  /** Safety bound on the number of steps. */
  maxSteps?: number;
}

export interface TreeBisectResult {
  /** Full sha of the first bad commit, or null when skips left several candidates. */
  firstBad: string | null;
  candidates: string[];
  steps: { commit: string; result: TreeStepResult }[];
  /** `git bisect log`, for the record and for replaying by hand. */
  log: string;
}

export const defaultGitExec: GitExec = (args, cwd) =>
  new Promise((resolve) => {
    execFile('git', args, { cwd, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ stdout: String(stdout), stderr: String(stderr), code });
    });
  });

export async function bisectTree(opts: TreeBisectOptions): Promise<TreeBisectResult> {
  const exec = opts.exec ?? defaultGitExec;
  const git = async (args: string[], allowFail = false): Promise<ExecResult> => {
    const r = await exec(args, opts.tree);
    if (r.code !== 0 && !allowFail) {
      throw new InfraError(`git ${args.join(' ')} failed`, {
        tree: opts.tree,
        code: r.code,
        stderr: r.stderr.slice(0, 2000),
      });
    }
    return r;
  };
  const resolveRev = async (rev: string): Promise<string> =>
    (await git(['rev-parse', '--verify', '--end-of-options', `${rev}^{commit}`])).stdout.trim();

  // Never clobber a bisection someone else is running in this checkout.
  const running = await git(['bisect', 'log'], true);
  if (running.code === 0) throw new InfraError('a bisection is already in progress in this tree', { tree: opts.tree });

  const good = await resolveRev(opts.good);
  const bad = await resolveRev(opts.bad);
  const steps: TreeBisectResult['steps'] = [];
  const maxSteps = opts.maxSteps ?? 64;
  try {
    let out = await git(['bisect', 'start', '--no-checkout', bad, good], true);
    for (;;) {
      const text = out.stdout + out.stderr;
      const found = /^([0-9a-f]{40}) is the first bad commit/m.exec(text);
      if (found?.[1]) {
        const log = (await git(['bisect', 'log'], true)).stdout;
        return { firstBad: found[1], candidates: [found[1]], steps, log };
      }
      if (/only 'skip'ped commits left to test/.test(text)) {
        const candidates = [...text.matchAll(/^([0-9a-f]{40})$/gm)].map((m) => m[1] ?? '').filter(Boolean);
        const log = (await git(['bisect', 'log'], true)).stdout;
        return { firstBad: null, candidates, steps, log };
      }
      if (out.code !== 0) throw new InfraError('git bisect failed', { tree: opts.tree, output: text.slice(0, 2000) });
      if (steps.length >= maxSteps)
        throw new InfraError(`bisection did not finish within ${maxSteps} steps`, { tree: opts.tree });
      const commit = (await git(['rev-parse', 'BISECT_HEAD'])).stdout.trim();
      const result = await opts.test(commit);
      steps.push({ commit, result });
      out = await git(['bisect', result, commit], true);
    }
  } finally {
    await git(['bisect', 'reset'], true);
  }
}

export interface NamedCommit {
  sha: string;
  subject: string;
}

/** The result's commits with their subjects, for a report (render/tree-bisection.ts). */
export async function namedCommits(
  result: TreeBisectResult,
  tree: string,
  exec: GitExec = defaultGitExec,
): Promise<{
  steps: (NamedCommit & { result: TreeStepResult })[];
  firstBad: NamedCommit | null;
  candidates: NamedCommit[];
}> {
  const named = async (sha: string): Promise<NamedCommit> => {
    const r = await exec(['show', '-s', '--format=%s', sha], tree);
    return { sha, subject: r.code === 0 ? r.stdout.trim() : '(subject unknown)' };
  };
  return {
    steps: await Promise.all(result.steps.map(async (s) => ({ ...(await named(s.commit)), result: s.result }))),
    firstBad: result.firstBad ? await named(result.firstBad) : null,
    candidates: await Promise.all(result.candidates.map(named)),
  };
}
