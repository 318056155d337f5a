/**
 * Is a flock(1) lock file already held by one of our ancestors? Then taking it again would wait
 * forever: `flock LOCK npm test` (a person or CI serializing kernel work by hand) runs the bot,
 * whose build would block on the same lock its own parent holds. Holding it is what counts, so
 * the build goes ahead under the ancestor's lock: the lock behaves as if it were re-entrant.
 */
import { readFileSync, statSync } from 'node:fs';

function ancestors(): Set<number> {
  const out = new Set<number>();
  let pid = process.pid;
  for (let i = 0; i < 64 && pid > 1; i++) {
    out.add(pid);
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // The command name is in parentheses and may hold spaces: ppid is 2 fields after ')'.
      pid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    } catch {
      break;
    }
  }
  return out;
}

/** Pids holding a lock on the file with this device and inode, from /proc/locks text. */
export function lockHolders(procLocks: string, dev: { major: number; minor: number }, ino: number): number[] {
  const holders: number[] = [];
  for (const line of procLocks.split('\n')) {
    // "1: FLOCK  ADVISORY  WRITE 4147 fe:00:5685802 0 EOF" (blocked waiters have "->" and are skipped)
    const m = /^\d+: (?:FLOCK|POSIX|OFDLCK)\s+\S+\s+\S+\s+(-?\d+) ([0-9a-f]+):([0-9a-f]+):(\d+) /.exec(line);
    if (!m) continue;
    if (parseInt(m[2] ?? '', 16) === dev.major && parseInt(m[3] ?? '', 16) === dev.minor && Number(m[4]) === ino)
      holders.push(Number(m[1]));
  }
  return holders;
}

export function lockHeldByAncestor(lockFile: string): boolean {
  if (process.platform !== 'linux') return false;
  try {
    const st = statSync(lockFile);
    // Linux dev_t: major in bits 8-19 (and 44+), minor in bits 0-7 and 20-31 (huge majors are not used here).
    const dev = { major: (st.dev >> 8) & 0xfff, minor: (st.dev & 0xff) | ((st.dev >> 12) & 0xfff00) };
    const mine = ancestors();
    return lockHolders(readFileSync('/proc/locks', 'utf8'), dev, st.ino).some((pid) => mine.has(pid));
  } catch {
    return false;
  }
}
