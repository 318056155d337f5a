/**
 * One job at a time per build slot: a slot is a single worktree and build folder. Within this
 * process jobs queue on a promise chain; across processes a lock folder (mkdir is atomic) holds
 * the owner's pid, and a lock whose owner is gone is taken over.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

const tails = new Map<string, Promise<unknown>>();

function errCode(err: unknown): string {
  return err && typeof err === 'object' && 'code' in err ? String(err.code) : '';
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errCode(err) === 'EPERM';
  }
}

async function acquire(lockDir: string, pollMs: number): Promise<void> {
  for (;;) {
    try {
      await mkdir(lockDir);
      await writeFile(`${lockDir}/pid`, String(process.pid));
      return;
    } catch (err) {
      if (errCode(err) !== 'EEXIST') throw err;
      const owner = Number((await readFile(`${lockDir}/pid`, 'utf8').catch(() => '')).trim());
      // No pid yet means the owner is between mkdir and writeFile: wait for it.
      if (owner > 0 && !alive(owner)) {
        await rm(lockDir, { recursive: true, force: true });
        continue;
      }
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }
}

export async function withSlotLock<T>(slot: string, fn: () => Promise<T>, pollMs = 500): Promise<T> {
  const prev = tails.get(slot) ?? Promise.resolve();
  const run = prev
    .catch(() => undefined)
    .then(async () => {
      const lockDir = `${slot}.lock`;
      await mkdir(path.dirname(lockDir), { recursive: true });
      await acquire(lockDir, pollMs);
      try {
        return await fn();
      } finally {
        await rm(lockDir, { recursive: true, force: true });
      }
    });
  tails.set(slot, run);
  try {
    return await run;
  } finally {
    if (tails.get(slot) === run) tails.delete(slot);
  }
}
