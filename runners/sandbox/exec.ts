/**
 * One place that spawns processes for the runners. Every child gets its own process group so a
 * timeout or an abort kills the whole tree (make's compilers, QEMU), not just the direct child.
 *
 * The group is detached from the bot, so if the bot itself dies (kill -9, OOM) nothing would
 * stop a build or a guest: an orphaned make would go on writing into a build folder the
 * restarted bot is about to use. Each child is therefore started through `setpriv --pdeathsig
 * KILL`, which makes the kernel kill it when the bot dies; bwrap's --die-with-parent and its
 * PID namespace take the rest of the tree down with it.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, createWriteStream } from 'node:fs';
import path from 'node:path';

export interface ExecOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Kill the process group after this many ms. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Append stdout+stderr to this file as they arrive. */
  logFile?: string;
  /** Called with each chunk of output (stdout and stderr interleaved). */
  onOutput?: (chunk: string, stream: 'stdout' | 'stderr') => void;
  /** Keep at most this many characters of output in memory (the tail). Default 4 MiB. */
  maxOutput?: number;
  input?: string | Buffer;
}

export interface ExecResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** stdout and stderr interleaved as they arrived (tail only when long). */
  output: string;
  stdout: string;
  timedOut: boolean;
  aborted: boolean;
  durationMs: number;
  /** Time spent waiting for a lock before the command ran (runSandboxed); not in durationMs. */
  lockWaitMs?: number;
}

export type Exec = (cmd: string, args: string[], options?: ExecOptions) => Promise<ExecResult>;

function killGroup(pid: number | undefined, sig: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, sig);
  } catch {
    // already gone
  }
}

function onPath(cmd: string, pathVar: string | undefined): string | null {
  const candidates = cmd.includes('/')
    ? [cmd]
    : (pathVar ?? '')
        .split(':')
        .filter(Boolean)
        .map((d) => path.join(d, cmd));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // not this one
    }
  }
  return null;
}

let setprivPath: string | null | undefined;

/**
 * The command line that ties the child's life to ours. A command that is not on PATH is spawned
 * as is, so the caller still gets spawn's ENOENT rather than setpriv's exit status 127.
 */
export function deathBound(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd?: string,
): { cmd: string; args: string[] } {
  if (process.platform !== 'linux') return { cmd, args };
  setprivPath ??= onPath('setpriv', process.env.PATH ?? '/usr/bin:/bin');
  const resolved = onPath(cmd.includes('/') && cwd ? path.resolve(cwd, cmd) : cmd, env.PATH ?? process.env.PATH);
  if (!setprivPath || !resolved) return { cmd, args };
  return { cmd: setprivPath, args: ['--pdeathsig', 'KILL', '--', resolved, ...args] };
}

/** Runs a command to completion; never rejects for a non-zero exit (callers judge the code). */
export const execCommand: Exec = (cmd, args, options = {}) =>
  new Promise((resolve, reject) => {
    const started = Date.now();
    const max = options.maxOutput ?? 4 * 1024 * 1024;
    const bound = deathBound(cmd, args, options.env ?? process.env, options.cwd);
    const child = spawn(bound.cmd, bound.args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      detached: true,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const log = options.logFile ? createWriteStream(options.logFile, { flags: 'a' }) : null;
    let output = '';
    let stdout = '';
    let timedOut = false;
    let aborted = false;
    const append = (chunk: string, isStdout: boolean): void => {
      output += chunk;
      if (output.length > max) output = output.slice(output.length - max);
      if (isStdout) {
        stdout += chunk;
        if (stdout.length > max) stdout = stdout.slice(stdout.length - max);
      }
      log?.write(chunk);
      options.onOutput?.(chunk, isStdout ? 'stdout' : 'stderr');
    };
    child.stdout?.setEncoding('utf8').on('data', (c: string) => append(c, true));
    child.stderr?.setEncoding('utf8').on('data', (c: string) => append(c, false));
    if (options.input !== undefined) child.stdin?.end(options.input);
    const timer = options.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          killGroup(child.pid, 'SIGKILL');
        }, options.timeoutMs)
      : null;
    const onAbort = (): void => {
      aborted = true;
      killGroup(child.pid, 'SIGKILL');
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (err) => {
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      log?.end();
      reject(err);
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      // Stray grandchildren (a compiler left behind by a killed make) die with the group.
      if (timedOut || aborted) killGroup(child.pid, 'SIGKILL');
      const done = (): void =>
        resolve({ code, signal, output, stdout, timedOut, aborted, durationMs: Date.now() - started });
      if (log) log.end(done);
      else done();
    });
  });
