/**
 * A pids cgroup for one build, where the machine has one (cgroup v1's `pids` hierarchy, or a
 * cgroup v2 tree with the pids controller): the build's sandbox joins it, `pids.max` caps every
 * task in it, and `pids.events` counts the forks it refused. That count is the one sure sign that a
 * build met its process limit: a fork bomb beside make can die out without failing any of make's
 * own steps, and RLIMIT_NPROC's refusals are counted nowhere. Without a usable hierarchy the build
 * runs with its rlimits only and this module gives null.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

const ROOTS = ['/sys/fs/cgroup/pids', '/sys/fs/cgroup'];

export interface PidsCgroup {
  /** The cgroup.procs file a process writes its pid to, to join. */
  procs: string;
  /** Forks refused so far at pids.max. */
  refused(): Promise<number>;
  /** Kills what is left in it and removes it. */
  close(): Promise<void>;
}

let serial = 0;

/** A fresh cgroup capped at `max` tasks, or null when none can be made here. */
export async function openPidsCgroup(max: number, roots: string[] = ROOTS): Promise<PidsCgroup | null> {
  for (const root of roots) {
    const dir = path.join(root, `daxbot-build-${process.pid}-${serial++}`);
    const made = await mkdir(dir).then(
      () => true,
      () => false,
    );
    if (!made) continue;
    const ok =
      existsSync(path.join(dir, 'pids.max')) &&
      (await writeFile(path.join(dir, 'pids.max'), `${max}`).then(
        () => true,
        () => false,
      ));
    if (ok) return cgroupAt(dir);
    await rmdir(dir).catch(() => undefined);
  }
  return null;
}

function cgroupAt(dir: string): PidsCgroup {
  const procs = path.join(dir, 'cgroup.procs');
  return {
    procs,
    refused: async () => {
      const text = await readFile(path.join(dir, 'pids.events'), 'utf8').catch(() => '');
      return Number(/^max (\d+)/m.exec(text)?.[1] ?? 0);
    },
    close: async () => {
      // The sandbox's end kills its pid namespace; this is for anything that left it.
      for (let i = 0; i < 20; i++) {
        const pids = (await readFile(procs, 'utf8').catch(() => '')).split('\n').filter(Boolean);
        if (pids.length === 0) break;
        for (const p of pids) {
          try {
            process.kill(Number(p), 'SIGKILL');
          } catch {
            // Gone already.
          }
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      await rmdir(dir).catch(() => undefined);
    },
  };
}
