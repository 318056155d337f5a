/**
 * Builds the configured ndctl checkout for the guest: a copy of the checkout is configured with
 * `meson setup -Dtest=enabled` and compiled with ninja INSIDE the cached Debian root filesystem
 * (bubblewrap with that tree as "/"), so its test binaries link against the same libraries the
 * guest runs. The checkout is untrusted code (its meson.build and tests run programs): it gets no
 * network, a scrubbed environment and sees only the read-only Debian tree and its own folder.
 * The result is cached under <cacheDir>/ndctl/<key>, keyed by the checkout's content, the root
 * filesystem and the meson options, and packed into a small ext4 image the guest mounts at /ndctl
 * (the build folder records absolute paths, so the guest sees the same ones as the build).
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, lstat, mkdir, readdir, readFile, readlink, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { InfraError } from '../errors.ts';
import { KERNEL_BUILD_LOCK } from '../build/make.ts';
import { execCommand, type Exec } from '../sandbox/exec.ts';
import { lockHeldByAncestor } from '../sandbox/lock-holder.ts';
import { ensureExt4Image } from '../guest/debian-rootfs.ts';

/** Where the checkout copy lives, inside the build sandbox and inside the guest's chroot. */
export const NDCTL_MOUNT = '/ndctl';
export const NDCTL_GUEST_SRC = `${NDCTL_MOUNT}/src`;
export const NDCTL_GUEST_BUILD = `${NDCTL_MOUNT}/build`;

export interface NdctlBuildConfig {
  destructive: boolean;
  /** Further `meson setup` options (e.g. "-Ddocs=disabled"). */
  mesonOptions: string[];
}

/** `meson setup` arguments (pure). -Dtest builds the tests; -Ddestructive adds the ones that reformat devices. */
export function mesonSetupArgs(c: NdctlBuildConfig): string[] {
  return [
    'setup',
    NDCTL_GUEST_BUILD,
    NDCTL_GUEST_SRC,
    '-Dtest=enabled',
    `-Ddestructive=${c.destructive ? 'enabled' : 'disabled'}`,
    ...c.mesonOptions,
  ];
}

/** The shell script run in the sandbox (pure). A failing step's output ends the log. */
export function ndctlBuildScript(c: NdctlBuildConfig, jobs: number): string {
  const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  return [
    'set -e',
    `rm -rf ${q(NDCTL_GUEST_BUILD)}`,
    `meson ${mesonSetupArgs(c).map(q).join(' ')}`,
    `ninja -C ${q(NDCTL_GUEST_BUILD)}${jobs > 0 ? ` -j ${jobs}` : ''}`,
  ].join('\n');
}

/**
 * bwrap arguments that make `root` the sandbox's "/" (read-only) with `work` at /ndctl (pure).
 * No host path other than these two is visible; no network; only PATH, HOME and LANG are set.
 */
export function rootfsBwrapArgs(root: string, work: string): string[] {
  return [
    '--die-with-parent',
    '--new-session',
    '--unshare-net',
    '--unshare-ipc',
    '--unshare-pid',
    '--unshare-uts',
    '--unshare-cgroup-try',
    '--ro-bind',
    root,
    '/',
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--tmpfs',
    '/tmp',
    '--tmpfs',
    '/run',
    '--bind',
    work,
    NDCTL_MOUNT,
    '--clearenv',
    '--setenv',
    'PATH',
    '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin',
    '--setenv',
    'HOME',
    '/tmp',
    '--setenv',
    'LANG',
    'C.UTF-8',
    '--chdir',
    NDCTL_MOUNT,
  ];
}

/** Folders never copied or hashed: git metadata and any meson build folder in the checkout. */
async function skipped(dir: string, name: string): Promise<boolean> {
  if (name === '.git') return true;
  return existsSync(path.join(dir, name, 'meson-private'));
}

/**
 * A hash of the checkout's files (paths, executable bits, contents, symlink targets), without
 * .git and build folders: what the build depends on, whether or not it is a git repository and
 * whether or not it has uncommitted changes. Reading files is safe; running git in a stranger's
 * repository (hooks, config) is not needed.
 */
export async function checkoutHash(source: string): Promise<string> {
  const h = createHash('sha256');
  const walk = async (dir: string, rel: string): Promise<void> => {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
    for (const e of entries) {
      const abs = path.join(dir, e.name);
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (await skipped(dir, e.name)) continue;
        h.update(`d ${r}\n`);
        await walk(abs, r);
      } else if (e.isSymbolicLink()) {
        h.update(`l ${r} ${await readlink(abs)}\n`);
      } else if (e.isFile()) {
        const st = await lstat(abs);
        h.update(`f ${r} ${st.mode & 0o111 ? 'x' : '-'} ${st.size}\n`);
        h.update(await readFile(abs));
      }
    }
  };
  await walk(source, '');
  return h.digest('hex');
}

/** The cache key: checkout content + root filesystem + options (pure). */
export function ndctlBuildKey(contentHash: string, rootfsKey: string, c: NdctlBuildConfig): string {
  return createHash('sha256')
    .update(JSON.stringify({ contentHash, rootfsKey, setup: mesonSetupArgs(c) }))
    .digest('hex')
    .slice(0, 16);
}

export interface NdctlBuildPaths {
  /** <cacheDir>/ndctl/<key> */
  base: string;
  /** Mounted at /ndctl: src/ (the copy) and build/. */
  tree: string;
  /** JSON outcome, written last. */
  outcome: string;
  log: string;
  image: string;
  lock: string;
}

export function ndctlBuildPaths(cacheDir: string, key: string): NdctlBuildPaths {
  const base = path.join(cacheDir, 'ndctl', key);
  return {
    base,
    tree: path.join(base, 'tree'),
    outcome: path.join(base, 'outcome.json'),
    log: path.join(base, 'build.log'),
    image: path.join(base, 'ndctl.ext4'),
    lock: `${base}.lock`,
  };
}

const outcomeSchema = z.object({ ok: z.boolean(), durationMs: z.number(), excerpt: z.string() });
export type NdctlBuildOutcome = z.infer<typeof outcomeSchema>;

export interface NdctlBuild {
  key: string;
  ok: boolean;
  /** The last lines of meson/ninja output when the build failed. */
  excerpt: string;
  /** The ext4 image holding src/ and build/ (only when ok). */
  image: string | null;
  paths: NdctlBuildPaths;
  /** Whether this call built it (false: cached). */
  built: boolean;
  buildMs: number;
  imageMs: number;
}

export interface NdctlBuildOptions extends NdctlBuildConfig {
  source: string;
  cacheDir: string;
  /** The debootstrapped tree (runners/guest/debian-rootfs.ts) and its key. */
  rootfs: string;
  rootfsKey: string;
  jobs?: number;
  exec?: Exec;
  /** Machine-wide lock for heavy builds (default: the kernel build lock). */
  lockFile?: string;
  signal?: AbortSignal;
}

/**
 * Builds (or reuses) the checkout. A meson or ninja failure is an outcome (ok=false, cached too:
 * the same checkout fails the same way); only the machinery failing to run throws InfraError.
 */
export async function ensureNdctlBuild(o: NdctlBuildOptions): Promise<NdctlBuild> {
  const exec = o.exec ?? execCommand;
  const key = ndctlBuildKey(await checkoutHash(o.source), o.rootfsKey, o);
  const paths = ndctlBuildPaths(o.cacheDir, key);
  let built = false;
  let outcome = await readOutcome(paths.outcome);
  if (!outcome) {
    await mkdir(path.dirname(paths.base), { recursive: true });
    // Built under a private name and renamed when done, so a concurrent or killed run never
    // leaves (or reads) a half-built folder. Paths inside are /ndctl/..., so the rename is safe.
    const tmp = `${paths.base}.tmp-${process.pid}`;
    const tmpTree = path.join(tmp, 'tree');
    await rm(tmp, { recursive: true, force: true });
    await mkdir(tmpTree, { recursive: true });
    await cp(o.source, path.join(tmpTree, 'src'), {
      recursive: true,
      verbatimSymlinks: true,
      filter: async (src) => src === o.source || !(await skipped(path.dirname(src), path.basename(src))),
    });
    // The lock is the kernel build lock: an ndctl build takes both cores as a kernel build does.
    // A caller already holding it (`flock LOCK npx vitest ...`) must not wait for itself.
    const lock = o.lockFile ?? KERNEL_BUILD_LOCK;
    const sandboxed = [
      'bwrap',
      ...rootfsBwrapArgs(o.rootfs, tmpTree),
      '--',
      'sh',
      '-c',
      ndctlBuildScript(o, o.jobs ?? 0),
    ];
    const [cmd = 'bwrap', ...args] = lockHeldByAncestor(lock) ? sandboxed : ['flock', lock, ...sandboxed];
    const r = await exec(cmd, args, {
      env: { PATH: '/usr/bin:/bin:/usr/sbin:/sbin' },
      logFile: path.join(tmp, 'build.log'),
      timeoutMs: 60 * 60_000,
      ...(o.signal ? { signal: o.signal } : {}),
    });
    const first = r.output.split('\n')[0] ?? '';
    // Cancelled, timed out or never started: machinery, and not cached (the next run tries again).
    if (r.aborted || r.timedOut || r.code === 127 || (r.code !== 0 && /^(bwrap|flock|setpriv):/.test(first))) {
      await rm(tmp, { recursive: true, force: true });
      const what = r.aborted ? 'cancelled' : r.timedOut ? 'timed out' : 'sandbox failed to start';
      throw new InfraError(`ndctl build ${what}`, { source: o.source, output: r.output.slice(-2000) });
    }
    outcome = {
      ok: r.code === 0,
      durationMs: r.durationMs,
      excerpt:
        r.code === 0
          ? ''
          : r.output
              .split('\n')
              .filter((l) => l.trim())
              .slice(-25)
              .join('\n'),
    };
    await writeFile(path.join(tmp, 'outcome.json'), JSON.stringify(outcome));
    try {
      await rename(tmp, paths.base);
      built = true;
    } catch {
      // Another process finished the same key first: its result is as good as ours.
      await rm(tmp, { recursive: true, force: true });
      outcome = (await readOutcome(paths.outcome)) ?? outcome;
    }
  }
  if (!outcome.ok)
    return {
      key,
      ok: false,
      excerpt: outcome.excerpt,
      image: null,
      paths,
      built,
      buildMs: built ? outcome.durationMs : 0,
      imageMs: 0,
    };
  const img = await ensureExt4Image(paths.tree, paths.image, 'daxbot-ndctl', paths.lock, exec);
  return {
    key,
    ok: true,
    excerpt: '',
    image: img.image,
    paths,
    built,
    buildMs: built ? outcome.durationMs : 0,
    imageMs: img.durationMs,
  };
}

async function readOutcome(file: string): Promise<NdctlBuildOutcome | null> {
  if (!existsSync(file)) return null;
  try {
    const parsed = outcomeSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
