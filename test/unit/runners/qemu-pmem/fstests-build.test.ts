/**
 * The fstests build with a fake sandbox (the real one is exercised by the heavy test): the
 * tarball is unpacked into the cache folder by path, the sandbox sees the root filesystem as "/"
 * and the tree at /opt, a build failure is a cached outcome, a sandbox that cannot start is ours,
 * and a private folder left by a killed build is cleaned up.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InfraError } from '../../../../bot/errors.ts';
import { rootfsSandboxArgs } from '../../../../runners/guest/rootfs-build.ts';
import { ensureFstestsBuild, fstestsBuildScript } from '../../../../runners/qemu-pmem/fstests-build.ts';
import { execCommand, type Exec, type ExecResult } from '../../../../runners/sandbox/exec.ts';

const temps: string[] = [];
afterAll(async () => {
  for (const d of temps) await rm(d, { recursive: true, force: true });
});
const temp = async (): Promise<string> => {
  const d = await mkdtemp(path.join(os.tmpdir(), 'daxbot-fstests-build-'));
  temps.push(d);
  return d;
};
const result = (code: number, output: string): ExecResult => ({
  code,
  signal: null,
  output,
  stdout: output,
  timedOut: false,
  aborted: false,
  durationMs: 5,
});

/** A tarball like the upstream one: one top folder with check and a Makefile. */
async function tarball(): Promise<string> {
  const d = await temp();
  mkdirSync(path.join(d, 'xfstests', 'tests', 'generic'), { recursive: true });
  writeFileSync(path.join(d, 'xfstests', 'check'), '#!/bin/bash\n');
  writeFileSync(path.join(d, 'xfstests', 'Makefile'), 'default:\n');
  execFileSync('tar', ['-czf', path.join(d, 'xfstests.tar.gz'), '-C', d, 'xfstests']);
  return path.join(d, 'xfstests.tar.gz');
}

describe('ensureFstestsBuild (fake sandbox)', () => {
  it('builds the unpacked tree at /opt/xfstests in the root filesystem, then reuses it', async () => {
    const cacheDir = await temp();
    const source = await tarball();
    const calls: string[][] = [];
    let seen = '';
    const exec: Exec = async (cmd, args) => {
      calls.push([cmd, ...args]);
      if (cmd === 'flock' && args[1] === 'bwrap') {
        const work = args[args.indexOf('--bind') + 1] ?? '';
        seen = await readFile(path.join(work, 'xfstests', 'check'), 'utf8');
        return result(0, 'make ok\n');
      }
      return execCommand(cmd, args); // tar, and du and mke2fs for the image
    };
    const opts = { source, cacheDir, rootfs: '/rootfs', rootfsKey: 'k', exec, lockFile: path.join(cacheDir, 'lock') };
    const first = await ensureFstestsBuild(opts);
    expect(seen).toBe('#!/bin/bash\n');
    const sandbox = calls.find((c) => c[0] === 'flock') ?? [];
    expect(sandbox.slice(0, 3)).toEqual(['flock', path.join(cacheDir, 'lock'), 'bwrap']);
    expect(sandbox.slice(sandbox.indexOf('--ro-bind'), sandbox.indexOf('--ro-bind') + 3)).toEqual([
      '--ro-bind',
      '/rootfs',
      '/',
    ]);
    expect(sandbox.at(-1)).toBe(fstestsBuildScript(0));
    expect(first).toMatchObject({ built: true, ok: true });
    expect(existsSync(path.join(first.paths.tree, 'xfstests', 'check'))).toBe(true);
    const again = await ensureFstestsBuild(opts);
    expect(again).toMatchObject({ built: false, key: first.key });
    expect(calls.filter((c) => c[0] === 'flock' && c[2] === 'bwrap')).toHaveLength(1);
  });

  it('keeps a failed build as its outcome, and blames the machinery when the sandbox cannot start', async () => {
    const cacheDir = await temp();
    const source = await tarball();
    const failing: Exec = async (cmd, args) =>
      cmd === 'tar'
        ? execCommand(cmd, args)
        : result(2, 'configure: error: xfs/xfs.h not found\nmake: *** [Makefile:80] Error 1\n');
    const failed = await ensureFstestsBuild({ source, cacheDir, rootfs: '/r', rootfsKey: 'k', exec: failing });
    expect(failed).toMatchObject({ ok: false, image: null });
    expect(failed.excerpt).toMatch(/xfs\/xfs.h not found/);

    const stale = `${failed.paths.base.replace(/[^/]+$/, 'other')}.tmp-999999999`;
    mkdirSync(stale, { recursive: true });
    const broken: Exec = async (cmd, args) =>
      cmd === 'tar'
        ? execCommand(cmd, args)
        : result(1, "bwrap: Can't find source path /r: No such file or directory\n");
    await expect(
      ensureFstestsBuild({ source, cacheDir: await temp(), rootfs: '/r', rootfsKey: 'other', exec: broken }),
    ).rejects.toBeInstanceOf(InfraError);
    await expect(
      ensureFstestsBuild({ source: path.join(cacheDir, 'missing.tar.gz'), cacheDir, rootfs: '/r', rootfsKey: 'k' }),
    ).rejects.toThrow(/does not exist/);
  });

  it('shows the sandbox nothing of the host but the root filesystem and the work folder', () => {
    const args = rootfsSandboxArgs('/root-fs', '/cache/fstests/k.tmp-1/tree', '/opt');
    expect(args).toContain('--unshare-net');
    expect(args).toContain('--clearenv');
    expect(args.filter((a) => a.startsWith('/') && !['/', '/proc', '/dev', '/tmp', '/run'].includes(a))).toEqual([
      '/root-fs',
      '/cache/fstests/k.tmp-1/tree',
      '/opt',
      '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin',
      '/opt',
    ]);
  });
});
