import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { keepRunArtifacts } from '../../../../bot/artifacts/keep.ts';
import { artifactFile, readManifest, sweepArtifacts } from '../../../../bot/artifacts/store.ts';
import { runResult } from '../../../helpers/pipeline-fakes.ts';

const root = mkdtempSync(path.join(tmpdir(), 'daxbot-artifacts-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function buildFolder(name: string): { buildDir: string; workDir: string } {
  const buildDir = path.join(root, name, 'build');
  const workDir = path.join(root, name, 'work');
  mkdirSync(path.join(buildDir, 'arch/x86/boot'), { recursive: true });
  mkdirSync(workDir, { recursive: true });
  writeFileSync(path.join(buildDir, '.config'), 'CONFIG_FS_DAX=y\n');
  writeFileSync(path.join(buildDir, 'arch/x86/boot/bzImage'), Buffer.alloc(4096, 7));
  writeFileSync(path.join(workDir, 'build.log'), 'make: done\n');
  return { buildDir, workDir };
}

describe('run artifacts', () => {
  const dir = path.join(root, 'kept');

  it('keeps .config, bzImage, the initramfs, console and build log once per content; refuses a link out of the build folder', async () => {
    const { buildDir, workDir } = buildFolder('a');
    // An untrusted build plants vmlinux as a link to a file of the bot's.
    const secret = path.join(root, 'secret.txt');
    writeFileSync(secret, 'bot secret');
    symlinkSync(secret, path.join(buildDir, 'vmlinux'));
    const build = {
      ok: true,
      configHash: 'c',
      buildDir,
      durationMs: 1,
      errors: [],
      warnings: [],
      bzImage: path.join(buildDir, 'arch/x86/boot/bzImage'),
      vmlinux: path.join(buildDir, 'vmlinux'),
    };
    const initrd = path.join(root, 'a', 'guest', 'initramfs-abc.cpio.gz');
    mkdirSync(path.dirname(initrd), { recursive: true });
    writeFileSync(initrd, Buffer.alloc(512, 1));
    const qemuCommand = ['qemu-system-x86_64', '-kernel', build.bzImage, '-initrd', initrd, '-m', '2048M'];
    const result = runResult({ build, consoleLog: 'Linux version 6.12\nBUG: oops\n', qemuCommand });
    const now = new Date('2026-12-01T00:00:00.000Z');
    const m = await keepRunArtifacts({ dir, runNo: 7, result, workDir, now, maxBytes: 1 << 20 });
    expect(m.files.map((f) => f.name).sort()).toEqual([
      'build.log',
      'bzImage',
      'config',
      'console.log',
      'initramfs.cpio.gz',
    ]);
    expect(m.skipped).toEqual([{ name: 'vmlinux', reason: `resolves outside ${buildDir}` }]);
    const config = await artifactFile(dir, 7, 'config');
    expect(config && readFileSync(config.file, 'utf8')).toBe('CONFIG_FS_DAX=y\n');
    expect(await artifactFile(dir, 7, 'vmlinux')).toBeNull();
    expect(await artifactFile(dir, 7, '../../secret')).toBeNull();
    // A base run's repeat boots the same kernel: the same blob, linked again.
    await keepRunArtifacts({ dir, runNo: 8, result, workDir, now, maxBytes: 1 << 20 });
    expect((await readManifest(dir, 8))?.files.find((f) => f.name === 'bzImage')?.sha256).toBe(
      m.files.find((f) => f.name === 'bzImage')?.sha256,
    );
    const small = await keepRunArtifacts({ dir, runNo: 9, result, workDir, now, maxBytes: 100 });
    expect(small.skipped).toContainEqual({ name: 'bzImage', reason: 'over 0 MiB' });
  });

  it('sweeps runs past their retention and the blobs no run links to any more', async () => {
    const later = new Date('2026-12-31T00:00:00.000Z');
    const kept = await sweepArtifacts(dir, 60 * 86_400_000, later);
    expect(kept).toEqual({ runs: 0, blobs: 0 });
    const gone = await sweepArtifacts(dir, 7 * 86_400_000, later);
    expect(gone.runs).toBe(3);
    expect(gone.blobs).toBeGreaterThan(0);
    expect(existsSync(path.join(dir, 'runs', '7'))).toBe(false);
    expect(await artifactFile(dir, 8, 'config')).toBeNull();
  });
});
