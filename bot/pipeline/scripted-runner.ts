/**
 * A runner that plays a script instead of building kernels: the same results shape as a real
 * run, after a chosen delay. It exists for demos without QEMU and for the kill -9 test (a
 * real `daxbot run --once` child killed mid-"build"); the CLI selects it only when the
 * environment variable DAXBOT_SCRIPTED_RUNNER names a script file.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { RunRequest, RunResult, Runner, RunContext } from '../../runners/types.ts';

export const runnerScriptSchema = z.object({
  /** How long each run pretends to build and boot. */
  delayMs: z.number().int().nonnegative().default(0),
  /** The first patch that makes the kernel crash; null or absent for a clean series. */
  badPatch: z.number().int().positive().nullable().default(null),
  /** The base itself crashes (a pre-existing failure). */
  baseCrashes: z.boolean().default(false),
});
export type RunnerScript = z.infer<typeof runnerScriptSchema>;

/** The crash every scripted bad run shows. */
export const SCRIPTED_CRASH_TITLE = 'BUG: kernel NULL pointer dereference, address: 0000000000000050';

function countPatches(mbox: string): number {
  return (mbox.match(/^Subject: .*\[PATCH/gm) ?? []).length;
}

export async function loadRunnerScript(file: string): Promise<RunnerScript> {
  return runnerScriptSchema.parse(JSON.parse(await readFile(file, 'utf8')));
}

export function createScriptedRunner(name: string, script: RunnerScript): Runner {
  return {
    name,
    description: 'scripted results (DAXBOT_SCRIPTED_RUNNER), no kernel is built',
    async run(req: RunRequest, ctx: RunContext): Promise<RunResult> {
      const started = Date.now();
      ctx.progress?.('build', 'scripted');
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(resolve, script.delayMs);
        ctx.signal?.addEventListener('abort', () => {
          clearTimeout(t);
          reject(new Error('aborted'));
        });
      });
      ctx.progress?.('test', 'scripted');
      const applied = req.mbox ? (req.patchLimit ?? countPatches(await readFile(req.mbox, 'utf8'))) : 0;
      const crashes = script.baseCrashes || (script.badPatch !== null && applied >= script.badPatch);
      return {
        runner: name,
        tree: req.tree,
        base: req.base,
        head: req.base,
        configHash: 'scripted',
        apply: null,
        build: {
          ok: true,
          configHash: 'scripted',
          buildDir: req.workDir,
          durationMs: script.delayMs,
          errors: [],
          warnings: [],
        },
        booted: true,
        // Worded as the qemu-pmem runner words a test the crash cut short (analyze.ts).
        tests: [
          {
            suite: 'dax',
            name: 'ext4-dax-mount',
            status: crashes ? 'fail' : 'pass',
            ...(crashes && { reason: `no result: guest stopped after: ${SCRIPTED_CRASH_TITLE}` }),
          },
        ],
        findings: crashes
          ? [
              {
                title: SCRIPTED_CRASH_TITLE,
                type: 'null-deref',
                rip: 'ext4_dax_bsize_ok+0x9/0x20',
                trace: [
                  '__ext4_fill_super+0x4a1/0x2f40',
                  'ext4_fill_super+0xd4/0x280',
                  'get_tree_bdev+0x16d/0x260',
                  'vfs_get_tree+0x25/0xd0',
                  'path_mount+0x4a5/0xac0',
                ],
                report: SCRIPTED_CRASH_TITLE,
              },
            ]
          : [],
        failureClass: crashes ? 'kernel' : 'none',
        summary: crashes ? 'kernel crashed' : 'all tests passed',
        consoleLog: null,
        timings: { total: Date.now() - started },
      };
    },
  };
}
