import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { countProcesses, watchProcesses } from '../../../../runners/build/process-watch.ts';

describe('the build process watch', () => {
  it("counts a uid's process entries, and nothing else in /proc", async () => {
    const proc = await mkdtemp(path.join(os.tmpdir(), 'daxbot-proc-'));
    for (const pid of ['1', '42', '4242']) await mkdir(path.join(proc, pid));
    await writeFile(path.join(proc, 'uptime'), '1.0 1.0\n');
    await mkdir(path.join(proc, 'sys'));
    const uid = process.getuid?.() ?? 0;
    expect(await countProcesses(uid, proc)).toBe(3);
    expect(await countProcesses(uid + 1, proc)).toBe(0);
    expect(await countProcesses(uid, path.join(proc, 'gone'))).toBe(0);
  });

  it('keeps the peak of a bomb that died out before the build ended', async () => {
    const seen = [3, 250, 256, 40, 2];
    const w = watchProcesses(65534, { everyMs: 5, count: async () => seen.shift() ?? 2 });
    await new Promise((r) => setTimeout(r, 100));
    expect(w.stop().peak).toBe(256);
  });
});
