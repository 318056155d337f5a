import { execFile, spawn } from 'node:child_process';
import { SourceError } from '../errors.ts';

/**
 * The git plumbing the public-inbox source needs. Arguments are always arrays (no shell), and
 * prompts are disabled so an unreachable or private remote fails instead of hanging the poll.
 */

const GIT_ENV = { GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: 'true', LC_ALL: 'C' };

export interface GitResult {
  stdout: string;
  stderr: string;
}

export function runGit(
  args: string[],
  options: { gitDir?: string; git?: string; signal?: AbortSignal } = {},
): Promise<GitResult> {
  const fullArgs = options.gitDir ? ['--git-dir', options.gitDir, ...args] : args;
  return new Promise((resolve, reject) => {
    execFile(
      options.git ?? 'git',
      fullArgs,
      { env: { ...process.env, ...GIT_ENV }, maxBuffer: 256 * 1024 * 1024, signal: options.signal },
      (err, stdout, stderr) => {
        if (err) {
          reject(
            new SourceError(
              `git ${args[0] ?? ''} failed: ${stderr.trim() || err.message}`,
              {
                args: fullArgs,
                stderr: stderr.trim(),
                code: 'code' in err ? err.code : undefined,
              },
              { cause: err },
            ),
          );
          return;
        }
        resolve({ stdout, stderr });
      },
    );
  });
}

/**
 * Reads `git cat-file --batch` output as it arrives: each object in order, null for a missing
 * one. `push` returns the header it could not understand, or null.
 */
function catFileReader(): { results: Array<Buffer | null>; push(chunk: Buffer): string | null } {
  const results: Array<Buffer | null> = [];
  let pending: Buffer = Buffer.alloc(0);
  // A big object arrives in many chunks: hold them until it is complete instead of
  // re-concatenating the growing buffer on every chunk.
  let held: Buffer[] = [];
  let heldBytes = 0;
  let waitingFor = 0;
  const parse = (): string | null => {
    for (;;) {
      const nl = pending.indexOf(0x0a);
      if (nl < 0) return null;
      const header = pending.toString('latin1', 0, nl);
      if (header.endsWith(' missing') || header.endsWith(' ambiguous')) {
        results.push(null);
        pending = pending.subarray(nl + 1);
        continue;
      }
      // "<oid> <type> <size>"
      const parts = header.split(' ');
      const size = Number(parts[2]);
      if (parts.length !== 3 || !Number.isInteger(size) || size < 0) return header;
      if (pending.length < nl + 1 + size + 1) {
        waitingFor = nl + 1 + size + 1;
        return null;
      }
      results.push(Buffer.from(pending.subarray(nl + 1, nl + 1 + size)));
      pending = pending.subarray(nl + 1 + size + 1);
    }
  };
  return {
    results,
    push(chunk) {
      if (waitingFor > 0 && pending.length + heldBytes + chunk.length < waitingFor) {
        held.push(chunk);
        heldBytes += chunk.length;
        return null;
      }
      pending = pending.length === 0 && held.length === 0 ? chunk : Buffer.concat([pending, ...held, chunk]);
      held = [];
      heldBytes = 0;
      waitingFor = 0;
      return parse();
    },
  };
}

/**
 * Reads many objects with one `git cat-file --batch` process (one process per message would make a
 * 15,000-message import take minutes). Returns the contents in request order; null for an object
 * that does not exist (e.g. `<commit>:m` of a commit that removed the message).
 */
export function catFileBatch(
  gitDir: string,
  specs: string[],
  options: { git?: string; signal?: AbortSignal } = {},
): Promise<Array<Buffer | null>> {
  return new Promise((resolve, reject) => {
    const child = spawn(options.git ?? 'git', ['--git-dir', gitDir, 'cat-file', '--batch'], {
      env: { ...process.env, ...GIT_ENV },
      stdio: ['pipe', 'pipe', 'pipe'],
      signal: options.signal,
    });
    const reader = catFileReader();
    const results = reader.results;
    let stderr = '';
    let failed = false;
    const fail = (err: unknown): void => {
      if (failed) return;
      failed = true;
      child.kill();
      reject(
        err instanceof SourceError
          ? err
          : new SourceError(`git cat-file failed in ${gitDir}`, { gitDir, stderr }, { cause: err }),
      );
    };
    child.stdout.on('data', (chunk: Buffer) => {
      const bad = reader.push(chunk);
      if (bad !== null) fail(new SourceError(`unexpected git cat-file output: ${bad.slice(0, 200)}`, { gitDir }));
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', fail);
    child.stdin.on('error', fail);
    child.on('close', (code) => {
      if (failed) return;
      if (code !== 0 || results.length !== specs.length) {
        fail(
          new SourceError(`git cat-file exited with ${code} after ${results.length} of ${specs.length} objects`, {
            gitDir,
            stderr: stderr.trim(),
          }),
        );
        return;
      }
      resolve(results);
    });
    child.stdin.end(specs.map((s) => `${s}\n`).join(''));
  });
}
