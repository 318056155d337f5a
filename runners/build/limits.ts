/**
 * Resource limits of a kernel build (both trust levels): processes, file size, CPU time per
 * process, and the disk space of the build folder. Inside the sandbox make runs under `prlimit`
 * (RLIMIT_NPROC, RLIMIT_FSIZE, RLIMIT_CPU) and, when the bot is root (which RLIMIT_NPROC does not
 * bind), as the unprivileged uid/gid 65534 (`setpriv --clear-groups`), the build folders and
 * ccache chowned to it. Outside, a watcher measures the build folder and kills the build when it
 * grows past its limit. A limit hit is that build's failure with the reason (`limitHit`), never
 * an infrastructure error, and no file is blamed for it.
 */
import { execCommand, type Exec } from '../sandbox/exec.ts';
import type { BuildDiagnostic } from '../types.ts';

export interface BuildLimits {
  /** RLIMIT_NPROC: processes of the build's uid. */
  processes: number;
  /** RLIMIT_FSIZE: the largest file a build process may write. */
  fileSizeMiB: number;
  /** RLIMIT_CPU: CPU seconds of any one process of the build. */
  cpuSeconds: number;
  /** The build folder's size at which the build is killed. */
  diskMiB: number;
}

export const DEFAULT_BUILD_LIMITS: BuildLimits = {
  processes: 2048,
  fileSizeMiB: 2048,
  cpuSeconds: 3600,
  diskMiB: 16384,
};

/** The uid and gid builds run as when the bot is root. */
export const BUILD_UID = 65534;

export type LimitKind = 'processes' | 'fileSize' | 'cpuTime' | 'disk';

/** Whether builds drop to BUILD_UID: only root can, and only root needs to (RLIMIT_NPROC). */
export function dropsPrivileges(): boolean {
  return process.getuid?.() === 0;
}

/** `prlimit ... -- [setpriv ... --] cmd args`: the command as the sandbox runs it. */
export function limitedCommand(limits: BuildLimits, cmd: string, args: string[]): { cmd: string; args: string[] } {
  const drop = dropsPrivileges()
    ? ['setpriv', `--reuid=${BUILD_UID}`, `--regid=${BUILD_UID}`, '--clear-groups', '--']
    : [];
  return {
    cmd: 'prlimit',
    args: [
      `--nproc=${limits.processes}`,
      `--fsize=${limits.fileSizeMiB * 1024 * 1024}`,
      `--cpu=${limits.cpuSeconds}`,
      '--',
      ...drop,
      cmd,
      ...args,
    ],
  };
}

/** Gives the build's folders to BUILD_UID when builds drop privileges (mtimes are kept). */
export async function giveToBuildUser(paths: string[], exec: Exec = execCommand): Promise<void> {
  if (!dropsPrivileges() || paths.length === 0) return;
  await exec('chown', ['-R', `${BUILD_UID}:${BUILD_UID}`, ...paths]);
}

/** The build folder's size in MiB (du), or 0 when it cannot be measured. */
async function folderMiB(dir: string, exec: Exec): Promise<number> {
  const r = await exec('du', ['-sm', dir]);
  return Number.parseInt(r.stdout.split('\t')[0] ?? '', 10) || 0;
}

/**
 * Runs `probe` every `everyMs` until the returned stop is called, never two at once: a probe
 * still running when the next tick comes (a slow `du`, a large /proc) makes that tick a no-op.
 */
export function pollEvery(everyMs: number, probe: () => Promise<void>): () => void {
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void probe().finally(() => {
      busy = false;
    });
  }, everyMs);
  return () => clearInterval(timer);
}

/**
 * Watches `dir` every `everyMs` while a build runs; when it is larger than `limitMiB`, calls
 * `kill`. `stop()` ends the watch and says whether it fired.
 */
export function watchDisk(
  dir: string,
  limitMiB: number,
  kill: () => void,
  o: { everyMs?: number; exec?: Exec } = {},
): { stop(): { fired: boolean; sizeMiB: number } } {
  let fired = false;
  let sizeMiB = 0;
  const stop = pollEvery(o.everyMs ?? 2000, async () => {
    if (fired) return;
    sizeMiB = await folderMiB(dir, o.exec ?? execCommand);
    if (sizeMiB > limitMiB) {
      fired = true;
      kill();
    }
  });
  return {
    stop: () => {
      stop();
      return { fired, sizeMiB };
    },
  };
}

/** Which rlimit a failed make's output shows was hit, if any. */
export function limitInOutput(output: string): LimitKind | null {
  if (/Resource temporarily unavailable|fork: retry|Cannot fork|vfork: /i.test(output)) return 'processes';
  if (/File size limit exceeded/i.test(output)) return 'fileSize';
  if (/CPU time limit exceeded/i.test(output)) return 'cpuTime';
  return null;
}

/** The one diagnostic of a build stopped by a limit. */
export function limitDiagnostic(kind: LimitKind, limits: BuildLimits): BuildDiagnostic {
  const what: Record<LimitKind, string> = {
    processes: `the process limit (${limits.processes} processes) was reached`,
    fileSize: `a file reached the file size limit (${limits.fileSizeMiB} MiB)`,
    cpuTime: `a process reached the CPU time limit (${limits.cpuSeconds} s)`,
    disk: `the build folder grew past its disk limit (${limits.diskMiB} MiB)`,
  };
  return { file: '', line: 0, severity: 'error', message: `build stopped: ${what[kind]}` };
}
