/**
 * Counts, while a build runs, the processes of the uid builds run as (limits.ts BUILD_UID), and
 * keeps the peak. RLIMIT_NPROC makes a fork bomb's forks fail, not make's build: a bomb that runs
 * beside make may leave make's own steps alone and die out before make ends, so neither make's
 * output nor the processes left after it show the limit was met. The peak does.
 */
import { readdir, stat } from 'node:fs/promises';
import { pollEvery } from './limits.ts';

/** The number of processes whose /proc entry belongs to `uid`. */
export async function countProcesses(uid: number, proc = '/proc'): Promise<number> {
  const names = await readdir(proc).catch(() => [] as string[]);
  let n = 0;
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    // A process that ended between the listing and the stat is not counted.
    const st = await stat(`${proc}/${name}`).catch(() => null);
    if (st?.uid === uid) n++;
  }
  return n;
}

/** Samples every `everyMs` until stopped; `stop()` gives the peak count seen. */
export function watchProcesses(
  uid: number,
  o: { everyMs?: number; count?: (uid: number) => Promise<number> } = {},
): { stop(): { peak: number } } {
  let peak = 0;
  const count = o.count ?? countProcesses;
  const stop = pollEvery(o.everyMs ?? 200, async () => {
    peak = Math.max(peak, await count(uid));
  });
  return {
    stop: () => {
      stop();
      return { peak };
    },
  };
}
