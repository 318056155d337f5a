import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { compilerVersion } from '../../../../runners/build/make.ts';
import type { Exec } from '../../../../runners/sandbox/exec.ts';

function has(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('the compiler a reply names', () => {
  it("joins the first lines of gcc's and ld's --version; nothing when they cannot be asked", async () => {
    const out = 'gcc (Debian 12.2.0-14) 12.2.0\nGNU ld (GNU Binutils for Debian) 2.40\n';
    const ok: Exec = async () => ({
      code: 0,
      signal: null,
      output: out,
      stdout: out,
      timedOut: false,
      aborted: false,
      durationMs: 1,
    });
    expect(await compilerVersion({ exec: ok })).toBe(
      'gcc (Debian 12.2.0-14) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40',
    );
    const fail: Exec = async () => ({
      code: 127,
      signal: null,
      output: '',
      stdout: '',
      timedOut: false,
      aborted: false,
      durationMs: 1,
    });
    expect(await compilerVersion({ exec: fail })).toBeUndefined();
  });

  it.skipIf(!has('bwrap') || !has('gcc'))('asks the real compiler inside the build sandbox', async () => {
    expect(await compilerVersion()).toMatch(/^gcc .*\d+\.\d+.*, GNU ld .*\d+\.\d+/);
  });
});
