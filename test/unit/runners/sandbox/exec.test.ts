import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { deathBound, execCommand } from '../../../../runners/sandbox/exec.ts';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

describe('execCommand', () => {
  it('binds children to the bot with setpriv --pdeathsig, but keeps ENOENT for unknown commands', async () => {
    const b = deathBound('sh', ['-c', 'true'], process.env);
    expect(b.cmd).toMatch(/setpriv$/);
    expect(b.args.slice(0, 3)).toEqual(['--pdeathsig', 'KILL', '--']);
    expect(deathBound('no-such-command-daxbot', [], process.env)).toEqual({ cmd: 'no-such-command-daxbot', args: [] });
    await expect(execCommand('no-such-command-daxbot', [])).rejects.toMatchObject({ code: 'ENOENT' });
    const ok = await execCommand('sh', ['-c', 'echo hi; exit 3']);
    expect(ok.code).toBe(3);
    expect(ok.stdout).toBe('hi\n');
  });

  it('a child started by a process that is killed with SIGKILL dies with it', async () => {
    // A node process runs execCommand('sleep 60') and prints the sleeper's pid; then it is killed.
    const script = `
      import('${new URL('../../../../runners/sandbox/exec.ts', import.meta.url).pathname}').then(({ execCommand }) => {
        execCommand('sh', ['-c', 'echo $$; exec sleep 60'], { onOutput: (c) => process.stdout.write(c) });
      });`;
    const parent = spawn(process.execPath, ['--import', 'tsx', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const pid = await new Promise<number>((resolve) =>
      parent.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))),
    );
    expect(alive(pid)).toBe(true);
    parent.kill('SIGKILL');
    const deadline = Date.now() + 5000;
    while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(alive(pid)).toBe(false);
  });
});
