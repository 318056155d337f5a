import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { lockHeldByAncestor, lockHolders } from '../../../../runners/sandbox/lock-holder.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

describe('lock held by an ancestor', () => {
  it('reads holders from /proc/locks text, skipping blocked waiters', () => {
    const text = [
      '1: FLOCK  ADVISORY  WRITE 4147 fe:00:5685802 0 EOF',
      '1: -> FLOCK  ADVISORY  WRITE 4234 fe:00:5685802 0 EOF',
      '2: POSIX  ADVISORY  WRITE 99 fe:00:7 0 EOF',
    ].join('\n');
    expect(lockHolders(text, { major: 0xfe, minor: 0 }, 5685802)).toEqual([4147]);
    expect(lockHolders(text, { major: 0xfe, minor: 1 }, 5685802)).toEqual([]);
  });

  it('is true under `flock LOCK <this process>` and false otherwise, so a build never waits on its own parent', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'daxbot-lock-'));
    const lock = path.join(dir, 'lock');
    writeFileSync(lock, '');
    const probe = `import('${path.join(here, '../../../../runners/sandbox/lock-holder.ts')}').then((m) => console.log(m.lockHeldByAncestor(process.argv[1])))`;
    const run = (wrap: string[]): string =>
      execFileSync(wrap[0] ?? 'env', [...wrap.slice(1), process.execPath, '--import', 'tsx', '-e', probe, lock], {
        encoding: 'utf8',
      }).trim();
    expect(run(['flock', lock])).toBe('true');
    expect(run(['env'])).toBe('false');
    expect(lockHeldByAncestor(path.join(dir, 'missing'))).toBe(false);
  });
});

describe('runSandboxed under a lock', () => {
  it('counts the time under the lock, not the wait for it, and keeps the marker out of the output', async () => {
    const { spawn } = await import('node:child_process');
    const { runSandboxed } = await import('../../../../runners/sandbox/bwrap.ts');
    const dir = mkdtempSync(path.join(tmpdir(), 'daxbot-lockwait-'));
    const lock = path.join(dir, 'lock');
    writeFileSync(lock, '');
    // Someone else holds the lock for 1.5 s.
    const holder = spawn('flock', [lock, 'sleep', '1.5'], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 200));
    const chunks: string[] = [];
    const r = await runSandboxed(
      { readOnly: [], readWrite: [dir], env: {}, cwd: dir },
      'sh',
      ['-c', 'echo work; sleep 0.2'],
      { lockFile: lock, onOutput: (c) => chunks.push(c) },
    );
    holder.kill();
    expect(r.code).toBe(0);
    expect(r.output).toBe('work\n');
    expect(chunks.join('')).toBe('work\n');
    expect(r.lockWaitMs).toBeGreaterThan(800);
    expect(r.durationMs).toBeLessThan(1000);
  });
});
