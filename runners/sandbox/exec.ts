/**
 * One place that spawns processes for the runners. Every child gets its own process group so a
 * timeout or an abort kills the whole tree (make's compilers, QEMU), not just the direct child.
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';

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

/** Runs a command to completion; never rejects for a non-zero exit (callers judge the code). */
export const execCommand: Exec = (cmd, args, options = {}) =>
  new Promise((resolve, reject) => {
    const started = Date.now();
    const max = options.maxOutput ?? 4 * 1024 * 1024;
    const child = spawn(cmd, args, {
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
