/**
 * The command line as a child process, as users and outside checks run it: `node bin/daxbot.js`
 * (dist/, built by the global setup). Exit code, stdout and stderr are returned, never thrown.
 */
import { execFile, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const daxbotBin = path.join(repoRoot, 'bin', 'daxbot.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  input?: string;
}

/** Runs `daxbot ARGS` with warn-level logs unless env says otherwise. */
export function daxbot(args: string[], o: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [daxbotBin, ...args],
      {
        cwd: o.cwd ?? repoRoot,
        env: { ...process.env, DAXBOT_LOG_LEVEL: 'warn', ...o.env },
        maxBuffer: 64 * 1024 * 1024,
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/**
 * `daxbot --config CONFIG --db DB ARGS` with the kernel cache in `cacheDir`, as the pipeline tests
 * run it; a failing command fails the test (stderr is the message). Resolves to stdout.
 */
export async function daxbotWith(config: string, db: string, cacheDir: string, args: string[]): Promise<string> {
  const r = await daxbot(['--config', config, '--db', db, ...args], { env: { DAXBOT_CACHE_DIR: cacheDir } });
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

/** The same, synchronously. */
export function daxbotSync(args: string[], o: CliOptions = {}): CliResult {
  const r = spawnSync(process.execPath, [daxbotBin, ...args], {
    cwd: o.cwd ?? repoRoot,
    env: { ...process.env, DAXBOT_LOG_LEVEL: 'warn', ...o.env },
    encoding: 'utf8',
    ...(o.input !== undefined && { input: o.input }),
  });
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

/** JSON Lines: one object per non-empty line. */
export function jsonLines(stdout: string): unknown[] {
  return stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l): unknown => JSON.parse(l));
}
