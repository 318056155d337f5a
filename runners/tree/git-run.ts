/**
 * Plain git for the tree lookups (blob matching, commit lookups): arguments as arrays, stdin when
 * asked, no prompts, C locale, and paths unquoted. A non-zero exit is returned, not thrown, so
 * each caller decides whether it is an answer ("no such commit") or a broken tree.
 */
import { execCommand, type Exec } from '../sandbox/exec.ts';

export interface GitOut {
  code: number | null;
  stdout: string;
  /** stdout and stderr interleaved, for error messages. */
  output: string;
}

export const GIT_LOOKUP_ENV = {
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  HOME: process.env.HOME ?? '/tmp',
  GIT_TERMINAL_PROMPT: '0',
  LC_ALL: 'C',
};

export async function git(
  repo: string,
  args: string[],
  options: { input?: string; timeoutMs?: number; exec?: Exec } = {},
): Promise<GitOut> {
  const exec = options.exec ?? execCommand;
  const r = await exec('git', ['-C', repo, '-c', 'core.quotePath=false', ...args], {
    env: GIT_LOOKUP_ENV,
    ...(options.input !== undefined && { input: options.input }),
    timeoutMs: options.timeoutMs ?? 300_000,
    maxOutput: 64 * 1024 * 1024,
  });
  return { code: r.timedOut ? null : r.code, stdout: r.stdout, output: r.output };
}

/** The full sha of a commit `rev` names in `repo`, or null when the repository lacks it. */
export async function commitOf(repo: string, rev: string, exec?: Exec): Promise<string | null> {
  const r = await git(repo, ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`], { ...(exec && { exec }) });
  const sha = r.stdout.trim();
  return r.code === 0 && /^[0-9a-f]{40}$/.test(sha) ? sha : null;
}
