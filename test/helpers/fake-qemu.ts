/**
 * A stand-in for qemu-system-x86_64 in runQemu tests: a shell script (passed as spec.qemu with
 * sandbox: false) that prints what a guest would on its serial console and then exits or hangs.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runQemu, type QemuRunOptions, type QemuRunResult } from '../../runners/qemu/run.ts';

/** A kernel NULL dereference as the 6.1 guest prints it (the real console parser names it). */
export const OOPS_LINES = [
  '[   42.100000] BUG: kernel NULL pointer dereference, address: 0000000000000008',
  '[   42.100001] #PF: supervisor read access in kernel mode',
  '[   42.100002] Oops: 0000 [#1] PREEMPT SMP NOPTI',
  '[   42.100003] CPU: 0 PID: 1 Comm: mount Not tainted 6.1.0 #1',
  '[   42.100004] RIP: 0010:ext4_dax_bsize_ok+0x12/0x40',
  '[   42.100005] Code: 00 00 <48> 8b 47 08',
  '[   42.100006] Call Trace:',
  '[   42.100007]  <TASK>',
  '[   42.100009]  ext4_dax_bsize_ok+0x12/0x40',
  '[   42.100010]  __ext4_fill_super+0x3a/0x60',
  '[   42.100011]  get_tree_bdev+0x4c/0x90',
  '[   42.100012]  entry_SYSCALL_64_after_hwframe+0x6e/0x76',
  '[   42.100013]  </TASK>',
  '[   42.100014] ---[ end trace 0000000000000000 ]---',
];

/** Shell lines that echo each of `lines` (single-quoted). */
export function echoLines(lines: string[]): string {
  return lines.map((l) => `echo '${l.replace(/'/g, `'\\''`)}'`).join('\n');
}

export interface FakeRun {
  q: QemuRunResult;
  logFile: string;
  dir: string;
}

/** Runs `script` (a /bin/sh body) as QEMU through runQemu; the folder is removed by `cleanup`. */
export async function runFakeQemu(
  script: string,
  over: Partial<QemuRunOptions> = {},
): Promise<FakeRun & { cleanup: () => void }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'daxbot-qemu-'));
  const fake = path.join(dir, 'fake-qemu');
  writeFileSync(fake, `#!/bin/sh\n${script}\n`);
  chmodSync(fake, 0o755);
  const logFile = path.join(dir, 'console.log');
  const run = runQemu({
    spec: { qemu: fake, kernel: 'bz', initrd: 'ird', append: [], memoryMiB: 256, cpus: 1, nvdimms: [] },
    logFile,
    bootTimeoutMs: 20_000,
    testTimeoutMs: 20_000,
    overallTimeoutMs: 60_000,
    sandbox: false,
    ...over,
  });
  const q = await run.catch((err: unknown) => {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  });
  return { q, logFile, dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
