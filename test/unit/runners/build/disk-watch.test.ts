import { describe, expect, it } from 'vitest';
import { watchDisk } from '../../../../runners/build/limits.ts';
import type { Exec } from '../../../../runners/sandbox/exec.ts';

describe("the build folder's disk watch", () => {
  it('kills the build once the folder is over its limit, and measures no more after that', async () => {
    const sizes = [100, 900, 1300, 1500];
    const asked: string[][] = [];
    const exec: Exec = async (cmd, args) => {
      asked.push([cmd, ...args]);
      const mib = sizes.shift() ?? 1500;
      const result = { code: 0, signal: null, output: '', timedOut: false, aborted: false, durationMs: 1 };
      return { ...result, stdout: `${mib}\t/build\n` };
    };
    let kills = 0;
    const w = watchDisk('/build', 1200, () => kills++, { everyMs: 5, exec });
    await new Promise((r) => setTimeout(r, 100));
    expect(w.stop()).toEqual({ fired: true, sizeMiB: 1300 });
    expect(kills).toBe(1);
    expect(asked).toHaveLength(3);
    expect(asked[0]).toEqual(['du', '-sm', '/build']);
  });
});
