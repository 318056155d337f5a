/**
 * The cached kernel trees: a Debian linux-source-<X.Y> tarball (6.1 and 6.12 are served here)
 * unpacked into a git repository under the cache folder, committed once with fixed dates and
 * tagged `v<kernelversion>-debian`. The tag is written last, so its presence means the tree is
 * complete; a half-made tree is removed and made again.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { InfraError } from '../errors.ts';
import { execCommand, type Exec } from '../sandbox/exec.ts';

/** The Debian kernel series a tree can be made from without a network (`trees[].debian`). */
export const DEBIAN_KERNELS = ['6.1', '6.12'] as const;
export type DebianKernel = (typeof DEBIAN_KERNELS)[number];

/** Where Debian's linux-source-<X.Y> package puts its tarball. */
export function debianTarball(series: string): string {
  return `/usr/src/linux-source-${series}.tar.xz`;
}

/** The tree folder name `daxbot setup` gives a Debian series: "linux-6.12". */
export function debianTreeName(series: string): string {
  return `linux-${series}`;
}

export const DEFAULT_LINUX_TARBALL = debianTarball('6.1');

export interface LinuxTree {
  /** The repository folder. */
  path: string;
  /** e.g. "v6.1.192-debian" */
  tag: string;
  /** Full sha of the tagged commit. */
  commit: string;
  /** True when this call created it (false: it was already cached). */
  created: boolean;
}

export interface EnsureTreeOptions {
  tarball?: string;
  /** Folder name under the cache dir. */
  name?: string;
  exec?: Exec;
}

/** Where the cache lives: env DAXBOT_CACHE_DIR, then config cacheDir, relative to the repo root. */
export function resolveCacheDir(repoRoot: string, env: NodeJS.ProcessEnv, configured?: string): string {
  const chosen = env.DAXBOT_CACHE_DIR || configured || 'var/cache';
  return path.resolve(repoRoot, chosen);
}

/**
 * Debian's tarball ships a .gitignore whose last section ignores every top-level path ("/*"), so
 * a plain `git add` would commit nothing. Drops that section (from its "Debian" comment header to
 * the end) and any bare "/*" line.
 */
export function stripDebianIgnores(gitignore: string): string {
  const lines = gitignore.split('\n');
  const start = lines.findIndex((l) => /^#.*debian/i.test(l));
  const kept = start >= 0 ? lines.slice(0, start) : lines;
  // The section opens with a lone "#" line above its title: drop it too.
  while (kept.length > 0 && /^#?\s*$/.test(kept[kept.length - 1] ?? '')) kept.pop();
  return kept
    .filter((l) => l.trim() !== '/*')
    .join('\n')
    .replace(/\n*$/, '\n');
}

/** "VERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = 192" → "6.1.192". */
export function kernelVersionFromMakefile(makefile: string): string | null {
  const get = (k: string): string | undefined => new RegExp(`^${k}\\s*=\\s*(\\S*)`, 'm').exec(makefile)?.[1];
  const v = get('VERSION');
  const p = get('PATCHLEVEL');
  const s = get('SUBLEVEL');
  if (!v || !p) return null;
  return s ? `${v}.${p}.${s}` : `${v}.${p}`;
}

async function git(exec: Exec, cwd: string, args: string[]): Promise<string> {
  const r = await exec('git', args, {
    cwd,
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'daxbot',
      GIT_AUTHOR_EMAIL: 'daxbot@localhost',
      GIT_COMMITTER_NAME: 'daxbot',
      GIT_COMMITTER_EMAIL: 'daxbot@localhost',
      // Fixed dates make the commit sha the same on every machine for the same tarball, so a
      // series' base-commit written on one machine is found on another.
      GIT_AUTHOR_DATE: '2025-01-01T00:00:00Z',
      GIT_COMMITTER_DATE: '2025-01-01T00:00:00Z',
    },
  });
  if (r.code !== 0) throw new InfraError(`git ${args[0]} failed in ${cwd}`, { args, output: r.output.slice(-2000) });
  return r.stdout.trim();
}

async function findDebianTag(exec: Exec, dir: string): Promise<{ tag: string; commit: string } | null> {
  if (!existsSync(path.join(dir, '.git'))) return null;
  const r = await exec('git', ['tag', '--list', 'v*-debian'], { cwd: dir });
  const tag =
    r.code === 0
      ? r.stdout
          .split('\n')
          .map((t) => t.trim())
          .find(Boolean)
      : undefined;
  if (!tag) return null;
  const c = await exec('git', ['rev-parse', `${tag}^{commit}`], { cwd: dir });
  if (c.code !== 0) return null;
  return { tag, commit: c.stdout.trim() };
}

/**
 * Makes sure `<cacheDir>/<name>` (default linux-6.1) is a git repository holding the Debian kernel
 * source of `tarball`, tagged. Idempotent: returns at once when the tag exists. Throws InfraError
 * when the tarball is missing.
 */
export async function ensureLinuxTree(
  cacheDir: string,
  log: Logger,
  options: EnsureTreeOptions = {},
): Promise<LinuxTree> {
  const exec = options.exec ?? execCommand;
  const dir = path.join(cacheDir, options.name ?? 'linux-6.1');
  const found = await findDebianTag(exec, dir);
  if (found) return { path: dir, ...found, created: false };

  const tarball = options.tarball ?? DEFAULT_LINUX_TARBALL;
  if (!existsSync(tarball)) {
    const pkg = /linux-source-[\d.]+\d/.exec(path.basename(tarball))?.[0] ?? 'linux-source-6.1';
    throw new InfraError(`kernel source tarball ${tarball} is missing (apt-get install ${pkg})`, { tarball });
  }
  log.info({ dir, tarball }, 'unpacking kernel source into the cache');
  const started = Date.now();
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const untar = await exec('tar', ['-xJf', tarball, '--strip-components=1', '-C', dir]);
  if (untar.code !== 0)
    throw new InfraError('unpacking the kernel tarball failed', { output: untar.output.slice(-2000) });

  const ignorePath = path.join(dir, '.gitignore');
  if (existsSync(ignorePath)) await writeFile(ignorePath, stripDebianIgnores(await readFile(ignorePath, 'utf8')));
  const version = kernelVersionFromMakefile(await readFile(path.join(dir, 'Makefile'), 'utf8'));
  if (!version) throw new InfraError('cannot read the kernel version from the Makefile', { dir });

  await git(exec, dir, ['init', '-q', '-b', 'master']);
  // The tree is ~80k files committed once: skip fsync, compression and auto-gc for speed.
  for (const [k, v] of [
    ['core.fsync', 'none'],
    ['core.looseCompression', '0'],
    ['core.compression', '0'],
    ['gc.auto', '0'],
    ['core.preloadIndex', 'true'],
    ['feature.manyFiles', 'true'],
    ['core.untrackedCache', 'true'],
    ['advice.detachedHead', 'false'],
    ['user.name', 'daxbot'],
    ['user.email', 'daxbot@localhost'],
  ] as const) {
    await git(exec, dir, ['config', k, v]);
  }
  await git(exec, dir, ['add', '-A']);
  const pkg = /linux-source-[\d.]+\d/.exec(path.basename(tarball))?.[0] ?? path.basename(tarball);
  await git(exec, dir, ['commit', '-q', '--no-verify', '-m', `Linux ${version} (Debian ${pkg})`]);
  const tag = `v${version}-debian`;
  await git(exec, dir, ['tag', tag]);
  const commit = await git(exec, dir, ['rev-parse', 'HEAD']);
  log.info({ dir, tag, commit, ms: Date.now() - started }, 'kernel tree ready');
  return { path: dir, tag, commit, created: true };
}
