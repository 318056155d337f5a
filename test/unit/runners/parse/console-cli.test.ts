import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { daxbotSync } from '../../../helpers/cli.ts';

function daxbot(...args: string[]) {
  const r = daxbotSync(args);
  return { status: r.code, stdout: r.stdout, stderr: r.stderr };
}

describe('daxbot console analyze', () => {
  const dir = mkdtempSync(join(tmpdir(), 'daxbot-console-'));
  const crash = join(dir, 'crash.log');
  writeFileSync(
    crash,
    [
      '[    1.000000] BUG: kernel NULL pointer dereference, address: 0000000000000008',
      '[    1.000001] CPU: 0 PID: 1 Comm: mount Not tainted 6.8.0 #1',
      '[    1.000002] RIP: 0010:fs_dax_release+0x12/0x40',
      '[    1.000003] Call Trace:',
      '[    1.000004]  fs_dax_release+0x12/0x40',
      '[    1.000005]  xfs_fs_put_super+0x4c/0x90',
    ].join('\n'),
  );
  const clean = join(dir, 'clean.log');
  writeFileSync(clean, '[    0.000000] Linux version 6.8.0\n');

  it('prints the JSON contract for a crash and for a clean log, exit 0', () => {
    const r = daxbot('console', 'analyze', crash, '--json');
    expect(r.status).toBe(0);
    const j: unknown = JSON.parse(r.stdout);
    expect(Object.keys(j as object)).toEqual(['crash', 'title', 'type', 'rip', 'trace', 'findings']);
    expect(j).toMatchObject({
      crash: true,
      title: 'BUG: unable to handle kernel NULL pointer dereference in fs_dax_release',
      type: 'null-deref',
      rip: 'fs_dax_release+0x12/0x40',
      trace: ['fs_dax_release+0x12/0x40', 'xfs_fs_put_super+0x4c/0x90'],
    });
    const c = daxbot('console', 'analyze', clean, '--json');
    expect(c.status).toBe(0);
    expect(JSON.parse(c.stdout)).toEqual({ crash: false, title: null, type: null, rip: null, trace: [], findings: [] });
  }, 60_000);

  it('prints a readable summary and exits 2 on an unreadable file', () => {
    const r = daxbot('console', 'analyze', crash);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('[null-deref] BUG: unable to handle kernel NULL pointer dereference in fs_dax_release');
    expect(daxbot('console', 'analyze', join(dir, 'missing.log')).status).toBe(2);
  }, 60_000);
});
