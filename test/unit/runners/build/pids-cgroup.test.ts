import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openPidsCgroup } from '../../../../runners/build/pids-cgroup.ts';

const pidsHierarchy = process.getuid?.() === 0 && existsSync('/sys/fs/cgroup/pids/cgroup.procs');

describe('a pids cgroup for a build', () => {
  it('is null where no hierarchy has the pids controller, and leaves nothing behind', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'daxbot-cgroup-'));
    expect(await openPidsCgroup(64, [root, path.join(root, 'missing')])).toBeNull();
    expect(await readdir(root)).toEqual([]);
  });

  // The machine's own cgroup v1 pids hierarchy (root only): what a build gets in CI.
  it.skipIf(!pidsHierarchy)('counts the forks a bomb was refused, and kills what the bomb left', async () => {
    const cg = await openPidsCgroup(20, ['/sys/fs/cgroup/pids']);
    expect(cg).not.toBeNull();
    if (!cg) return;
    execFileSync('/bin/sh', ['-c', 'echo $$ > "$1"; b(){ b | b & }; b', 'sh', cg.procs], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 300));
    expect(await cg.refused()).toBeGreaterThan(0);
    await cg.close();
    expect(existsSync(path.dirname(cg.procs))).toBe(false);
  });
});
