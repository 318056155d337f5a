/**
 * The third-party sources in ../shared/upstream/ (read by path, never copied into the
 * repository): unpacked once per machine into a temp folder, and Debian's Python to run them
 * (pyenv or a virtualenv on PATH would lack the Debian packages they need).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export const upstreamDir = path.resolve(repoRoot, '..', 'shared', 'upstream');

/** Debian's interpreter, where the python3-* packages are. */
export const debianPython = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

/** Whether Debian's Python can import every module named. */
export function pythonHas(modules: string[]): boolean {
  const r = spawnSync(debianPython, ['-c', modules.map((m) => `import ${m}`).join('; ')], { stdio: 'ignore' });
  return r.status === 0;
}

/**
 * Unpacks `tarball` (a path under upstreamDir) into <tmp>/daxbot-upstream-<user>/<name>/ unless
 * it is there already, and returns that folder, which holds the tarball's top folder. Unpacked
 * beside it first and renamed into place, so parallel test files never see half a tree.
 */
export function unpackUpstream(tarball: string): string {
  const base = path.join(tmpdir(), `daxbot-upstream-${userInfo().uid}`);
  const dest = path.join(base, path.basename(tarball).replace(/\.tar\.gz$/, ''));
  if (existsSync(dest)) return dest;
  mkdirSync(base, { recursive: true });
  const scratch = mkdtempSync(path.join(base, '.unpack-'));
  execFileSync('tar', ['-xzf', tarball, '-C', scratch]);
  try {
    renameSync(scratch, dest);
  } catch {
    // Another test file won the race: its copy is the same.
    rmSync(scratch, { recursive: true, force: true });
  }
  return dest;
}

/** The single top folder of an unpacked tarball (files beside it are the tests' own). */
export function topFolder(unpacked: string): string {
  const entries = readdirSync(unpacked, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name);
  if (entries.length !== 1 || !entries[0]) throw new Error(`${unpacked}: expected one top folder, found ${entries}`);
  return path.join(unpacked, entries[0]);
}
