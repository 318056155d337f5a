/**
 * One job at a time per build slot (within this process): a slot is a single worktree and build
 * folder. Across processes, kernel builds are serialized by flock (runners/build/make.ts).
 */
const tails = new Map<string, Promise<unknown>>();

export async function withSlotLock<T>(slot: string, fn: () => Promise<T>): Promise<T> {
  const prev = tails.get(slot) ?? Promise.resolve();
  const run = prev.catch(() => undefined).then(fn);
  tails.set(slot, run);
  try {
    return await run;
  } finally {
    if (tails.get(slot) === run) tails.delete(slot);
  }
}
