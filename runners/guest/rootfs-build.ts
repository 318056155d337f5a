/**
 * Builds a third-party test suite (fstests; the same recipe as ndctl's) INSIDE the cached Debian
 * root filesystem (runners/guest/debian-rootfs.ts), so its programs link against the libraries the
 * guest runs: bubblewrap with that tree as a read-only "/", the work folder bound at `mount` (a
 * folder that exists in the tree), no network, a scrubbed environment. The result is cached under
 * <cacheDir>/<kind>/<key> (built under a private name and renamed, so a killed or concurrent build
 * never leaves a half-built folder that looks finished) and packed into an ext4 image the guest
 * mounts at the same `mount` path, because build folders record absolute paths.
 * A failing build is an outcome (cached: the same inputs fail the same way); only the machinery
 * failing to run throws InfraError.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { InfraError } from '../errors.ts';
import { KERNEL_BUILD_LOCK } from '../build/make.ts';
import { execCommand, type Exec } from '../sandbox/exec.ts';
import { lockHeldByAncestor } from '../sandbox/lock-holder.ts';
import type { TestResult } from '../types.ts';
import { ensureExt4Image } from './debian-rootfs.ts';

/**
 * bwrap arguments that make `root` the sandbox's "/" (read-only) with `work` at `mount` (pure).
 * No other host path is visible; no network; only PATH, HOME and LANG are set.
 */
export function rootfsSandboxArgs(root: string, work: string, mount: string): string[] {
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
    mount,
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
    mount,
  ];
}

export interface RootfsBuildPaths {
  /** <cacheDir>/<kind>/<key> */
  base: string;
  /** The folder bound at `mount`. */
  tree: string;
  /** JSON outcome, written last. */
  outcome: string;
  log: string;
  image: string;
  lock: string;
}

export function rootfsBuildPaths(cacheDir: string, kind: string, key: string): RootfsBuildPaths {
  const base = path.join(cacheDir, kind, key);
  return {
    base,
    tree: path.join(base, 'tree'),
    outcome: path.join(base, 'outcome.json'),
    log: path.join(base, 'build.log'),
    image: path.join(base, `${kind}.ext4`),
    lock: `${base}.lock`,
  };
}

const outcomeSchema = z.object({ ok: z.boolean(), durationMs: z.number(), excerpt: z.string() });
type Outcome = z.infer<typeof outcomeSchema>;

export interface RootfsBuild {
  key: string;
  ok: boolean;
  /** The last lines of the build's output when it failed. */
  excerpt: string;
  /** The ext4 image of the built tree (only when ok). */
  image: string | null;
  paths: RootfsBuildPaths;
  /** Whether this call built it (false: cached). */
  built: boolean;
  buildMs: number;
  imageMs: number;
}

/**
 * The host result that stands for a suite whose configured sources do not build (`what` names
 * them: "fstests <source>"): an error test `name` of `suite` whose reason ends with the build's
 * last output line and whose excerpt is the build's excerpt. Not the series' fault, and the same
 * on every run (pure).
 */
export function suiteBuildFailure(suite: string, name: string, what: string, built: RootfsBuild): TestResult {
  const last = built.excerpt.split('\n').filter(Boolean).pop() ?? 'see the build log';
  return { suite, name, status: 'error', reason: `${what} does not build: ${last}`, excerpt: built.excerpt };
}

/**
 * What a suite's own build function (ndctl's, fstests') takes from its caller, whatever the
 * suite: where the sources and the cache are, the root filesystem to build in, and the machinery.
 */
export interface SuiteBuildInputs {
  /** The suite's sources (a checkout, or a tarball where the suite accepts one). */
  source: string;
  cacheDir: string;
  /** The debootstrapped tree (runners/guest/debian-rootfs.ts) and its key. */
  rootfs: string;
  rootfsKey: string;
  /** Parallel build jobs; 0 = the build tool's default (about the number of cores). */
  jobs?: number;
  exec?: Exec;
  /** Machine-wide lock for heavy builds (default: the kernel build lock). */
  lockFile?: string;
  signal?: AbortSignal;
}

export interface RootfsBuildOptions {
  /** Names the cache folder and the image: "fstests" → <cacheDir>/fstests/<key>/fstests.ext4. */
  kind: string;
  /** Everything the build depends on, hashed by the caller. */
  key: string;
  cacheDir: string;
  /** The debootstrapped tree. */
  rootfs: string;
  /** Where the work folder appears in the sandbox and the guest; must exist in `rootfs`. */
  mount: string;
  /** Fills the (empty) work folder before the build: the sources. */
  populate(tree: string): Promise<void>;
  /** Run by `sh -c` in the sandbox, in `mount`. */
  script: string;
  exec?: Exec;
  /** Machine-wide lock for heavy builds (default: the kernel build lock: it takes both cores). */
  lockFile?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** The last non-empty lines of a failed build (pure). */
function failureExcerpt(output: string): string {
  return output
    .split('\n')
    .filter((l) => l.trim())
    .slice(-25)
    .join('\n');
}

/** Removes the private folders of builds whose process is gone (killed mid-build). */
async function removeStale(base: string): Promise<void> {
  const dir = path.dirname(base);
  const prefix = `${path.basename(base)}.tmp-`;
  for (const e of await readdir(dir).catch(() => [])) {
    const pid = Number(e.slice(prefix.length));
    if (e.startsWith(prefix) && Number.isInteger(pid) && !existsSync(`/proc/${pid}`))
      await rm(path.join(dir, e), { recursive: true, force: true });
  }
}

/** Runs the build in the sandbox in a private folder and renames it into place; the outcome. */
async function buildOnce(o: RootfsBuildOptions, exec: Exec, paths: RootfsBuildPaths): Promise<Outcome> {
  const tmp = `${paths.base}.tmp-${process.pid}`;
  const tmpTree = path.join(tmp, 'tree');
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmpTree, { recursive: true });
  await o.populate(tmpTree);
  const lock = o.lockFile ?? KERNEL_BUILD_LOCK;
  const sandboxed = ['bwrap', ...rootfsSandboxArgs(o.rootfs, tmpTree, o.mount), '--', 'sh', '-c', o.script];
  // A caller already holding the lock (`flock LOCK npx vitest ...`) must not wait for itself.
  const [cmd = 'bwrap', ...args] = lockHeldByAncestor(lock) ? sandboxed : ['flock', lock, ...sandboxed];
  const r = await exec(cmd, args, {
    env: { PATH: '/usr/bin:/bin:/usr/sbin:/sbin' },
    logFile: path.join(tmp, 'build.log'),
    timeoutMs: o.timeoutMs ?? 60 * 60_000,
    ...(o.signal ? { signal: o.signal } : {}),
  });
  const first = r.output.split('\n')[0] ?? '';
  // Cancelled, timed out or never started: machinery, and not cached (the next run tries again).
  if (r.aborted || r.timedOut || r.code === 127 || (r.code !== 0 && /^(bwrap|flock|setpriv):/.test(first))) {
    await rm(tmp, { recursive: true, force: true });
    const what = r.aborted ? 'cancelled' : r.timedOut ? 'timed out' : 'sandbox failed to start';
    throw new InfraError(`${o.kind} build ${what}`, { output: r.output.slice(-2000) });
  }
  const outcome = { ok: r.code === 0, durationMs: r.durationMs, excerpt: r.code === 0 ? '' : failureExcerpt(r.output) };
  await writeFile(path.join(tmp, 'outcome.json'), JSON.stringify(outcome));
  try {
    await rename(tmp, paths.base);
    return outcome;
  } catch {
    // Another process finished the same key first: its result is as good as ours.
    await rm(tmp, { recursive: true, force: true });
    return (await readOutcome(paths.outcome)) ?? outcome;
  }
}

/** Builds (or reuses) the tree and its image. */
export async function ensureRootfsBuild(o: RootfsBuildOptions): Promise<RootfsBuild> {
  const exec = o.exec ?? execCommand;
  const paths = rootfsBuildPaths(o.cacheDir, o.kind, o.key);
  let outcome = await readOutcome(paths.outcome);
  const built = outcome === null;
  if (!outcome) {
    await mkdir(path.dirname(paths.base), { recursive: true });
    await removeStale(paths.base);
    outcome = await buildOnce(o, exec, paths);
  }
  const common = { key: o.key, paths, built, buildMs: built ? outcome.durationMs : 0 };
  if (!outcome.ok) return { ...common, ok: false, excerpt: outcome.excerpt, image: null, imageMs: 0 };
  const img = await ensureExt4Image(paths.tree, paths.image, `daxbot-${o.kind}`, paths.lock, exec);
  return { ...common, ok: true, excerpt: '', image: img.image, imageMs: img.durationMs };
}

async function readOutcome(file: string): Promise<Outcome | null> {
  if (!existsSync(file)) return null;
  try {
    const parsed = outcomeSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
