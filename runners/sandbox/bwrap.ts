/**
 * The sandbox for untrusted work (building a patched kernel, running its guest). Patches are
 * code from strangers: their Makefiles run with our privileges unless fenced. bubblewrap gives
 * no network, a scrubbed environment, a private /tmp and read-only system folders; only the
 * paths named here are visible, so the bot's config, database and secrets are not.
 */
import { existsSync, lstatSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { execCommand, type Exec, type ExecOptions, type ExecResult } from './exec.ts';
import { lockHeldByAncestor } from './lock-holder.ts';

export interface SandboxSpec {
  /** Visible read-only (e.g. the kernel source). Same path inside as outside. */
  readOnly?: string[];
  /** Visible read-write (e.g. the build folder, the ccache folder). */
  readWrite?: string[];
  /** Visible read-write at another path: [host path, path inside] (a series build folder). */
  bindAs?: Array<[string, string]>;
  /** The only environment variables set inside (PATH and HOME are always set). */
  env?: Record<string, string>;
  /** Working directory inside the sandbox. */
  cwd?: string;
  /** Allow network (never for patch builds; QEMU needs none either). */
  network?: boolean;
  /** Make /dev/kvm visible when it exists (not on this machine: TCG). */
  kvm?: boolean;
}

const SYSTEM_DIRS = ['/usr', '/bin', '/sbin', '/lib', '/lib64', '/lib32', '/libx32'];
/** /etc entries build tools need: the loader cache and alternatives (awk, cc are symlinks there). */
const ETC_ENTRIES = [
  '/etc/ld.so.cache',
  '/etc/ld.so.conf',
  '/etc/ld.so.conf.d',
  '/etc/alternatives',
  '/etc/mke2fs.conf',
];

/** bwrap's argument list for a spec (pure apart from checking which system paths exist). */
export function bwrapArgs(spec: SandboxSpec, exists: (p: string) => boolean = existsSync): string[] {
  const args = [
    '--die-with-parent',
    '--new-session',
    '--unshare-ipc',
    '--unshare-pid',
    '--unshare-uts',
    '--unshare-cgroup-try',
  ];
  if (!spec.network) args.push('--unshare-net');
  for (const dir of SYSTEM_DIRS) {
    if (!exists(dir)) continue;
    // Merged-/usr systems have /bin -> usr/bin: recreate the symlink instead of binding twice.
    let link: string | null = null;
    try {
      const st = lstatSync(dir);
      if (st.isSymbolicLink()) link = path.relative('/', path.resolve('/', readlinkSync(dir)));
    } catch {
      link = null;
    }
    if (link) args.push('--symlink', link, dir);
    else args.push('--ro-bind', dir, dir);
  }
  const etc = ETC_ENTRIES.filter((p) => exists(p));
  args.push(...ancestorDirs(etc));
  for (const p of etc) args.push('--ro-bind', p, p);
  // Sticky and world-writable: builds run as an unprivileged uid (runners/build/limits.ts).
  args.push('--proc', '/proc', '--dev', '/dev', '--perms', '1777', '--tmpfs', '/tmp');
  if (spec.kvm && exists('/dev/kvm')) args.push('--dev-bind', '/dev/kvm', '/dev/kvm');
  const bindAs = spec.bindAs ?? [];
  args.push(...ancestorDirs([...(spec.readOnly ?? []), ...(spec.readWrite ?? []), ...bindAs.map(([, to]) => to)]));
  for (const p of spec.readOnly ?? []) args.push('--ro-bind', p, p);
  for (const p of spec.readWrite ?? []) args.push('--bind', p, p);
  for (const [from, to] of bindAs) args.push('--bind', from, to);
  args.push('--clearenv');
  const env: Record<string, string> = {
    PATH: '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin',
    HOME: '/tmp',
    LANG: 'C.UTF-8',
    ...spec.env,
  };
  for (const [k, v] of Object.entries(env)) args.push('--setenv', k, v);
  if (spec.cwd) args.push('--chdir', spec.cwd);
  return args;
}

/**
 * bwrap makes the folders above a bound path mode 0700; an unprivileged build uid
 * (runners/build/limits.ts) could not reach the tree through them. They are made 0755 first.
 */
function ancestorDirs(bound: string[]): string[] {
  const made = new Set<string>(['/', '/tmp', ...SYSTEM_DIRS, ...bound]);
  const out: string[] = [];
  for (const p of bound) {
    const chain: string[] = [];
    for (let d = path.dirname(p); !made.has(d); d = path.dirname(d)) chain.unshift(d);
    for (const d of chain) {
      made.add(d);
      out.push('--perms', '0755', '--dir', d);
    }
  }
  return out;
}

export interface SandboxRunOptions extends Omit<ExecOptions, 'env' | 'cwd'> {
  /** Hold this lock file (flock, outside the sandbox) while the command runs. */
  lockFile?: string;
  /** A cgroup's cgroup.procs: the sandbox joins that cgroup before it starts (build limits). */
  cgroupProcs?: string;
  exec?: Exec;
}

/** `sh` that joins the cgroup of `procs` and then runs the rest of the command line. */
function joinCgroup(procs: string | undefined): string[] {
  return procs ? ['/bin/sh', '-c', 'echo $$ > "$1" && shift && exec "$@"', 'sh', procs] : [];
}

let setpriv: boolean | undefined;

/** `setpriv --pdeathsig KILL --` when util-linux's setpriv is there: the next program dies with its parent. */
function parentDeath(): string[] {
  setpriv ??= existsSync('/usr/bin/setpriv');
  return setpriv ? ['/usr/bin/setpriv', '--pdeathsig', 'KILL', '--'] : [];
}

/**
 * Runs `cmd args` inside bwrap. With lockFile, the sandbox runs under `flock` so that e.g.
 * kernel builds are serialized machine-wide (the lock lives outside the sandbox's private /tmp).
 */
export async function runSandboxed(
  spec: SandboxSpec,
  cmd: string,
  args: string[],
  options: SandboxRunOptions = {},
): Promise<ExecResult> {
  const exec = options.exec ?? execCommand;
  // Every link of the chain flock -> timeout -> bwrap dies with the one before it, so a killed
  // bot leaves no build or guest running (bwrap's --die-with-parent covers what is inside).
  const inner = [...parentDeath(), ...joinCgroup(options.cgroupProcs), 'bwrap', ...bwrapArgs(spec), '--', cmd, ...args];
  // Outside the sandbox only a bare PATH is passed: bwrap --clearenv scrubs it anyway.
  const env = { PATH: '/usr/bin:/bin:/usr/sbin:/sbin' };
  const { lockFile, cgroupProcs: _cgroup, ...plain } = options;
  if (!lockFile || lockHeldByAncestor(lockFile)) return exec(inner[0] ?? 'bwrap', inner.slice(1), { ...plain, env });
  // Waiting for the lock must not count against the timeout: time only what runs under it.
  const { timeoutMs, ...rest } = plain;
  const timed = timeoutMs
    ? [...parentDeath(), 'timeout', '--kill-after=10', `${Math.ceil(timeoutMs / 1000)}`, ...inner]
    : inner;
  // A marker on stderr once the lock is held, so durations count the work, not the queue
  // (a build behind another one would otherwise look minutes slower than it was).
  const started = Date.now();
  let acquired: number | null = null;
  const onOutput = (chunk: string, stream: 'stdout' | 'stderr'): void => {
    if (acquired === null && chunk.includes(LOCK_MARKER)) {
      acquired = Date.now();
      chunk = chunk.replace(`${LOCK_MARKER}\n`, '');
      if (chunk === '') return;
    }
    rest.onOutput?.(chunk, stream);
  };
  const withMarker = ['/bin/sh', '-c', `echo ${LOCK_MARKER} >&2; exec "$@"`, 'sh', ...timed];
  const r = await exec('flock', [lockFile, ...withMarker], { ...rest, onOutput, env });
  const strip = (text: string): string => text.replace(`${LOCK_MARKER}\n`, '');
  const lockWaitMs = acquired === null ? 0 : acquired - started;
  const out: ExecResult = {
    ...r,
    output: strip(r.output),
    stdout: strip(r.stdout),
    durationMs: Math.max(0, r.durationMs - lockWaitMs),
    lockWaitMs,
  };
  return timeoutMs && r.code === 124 ? { ...out, timedOut: true } : out;
}

const LOCK_MARKER = '@daxbot-lock-acquired';
