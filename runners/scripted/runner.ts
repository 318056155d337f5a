/**
 * A runner that plays a script instead of building kernels: the same results shape as a real
 * run, after a chosen delay. It exists for demos without QEMU and for the kill -9 test (a
 * real `daxbot run --once` child killed mid-"build"). The CLI puts it in place of every
 * configured runner when the environment variable DAXBOT_SCRIPTED_RUNNER names a script file;
 * it is also a registered kind (`kind: scripted`, index.ts) whose config keys are the script's.
 */
import { readFile } from 'node:fs/promises';
import type { Finding, RunRequest, RunResult, Runner, RunContext } from '../types.ts';
import { runnerScriptSchema, type RunnerScript } from './schema.ts';

export { runnerScriptSchema, type RunnerScript } from './schema.ts';

/** The crash every scripted bad run shows. */
export const SCRIPTED_CRASH_TITLE = 'BUG: kernel NULL pointer dereference, address: 0000000000000050';

function countPatches(mbox: string): number {
  return (mbox.match(/^Subject: .*\[PATCH/gm) ?? []).length;
}

export async function loadRunnerScript(file: string): Promise<RunnerScript> {
  return runnerScriptSchema.parse(JSON.parse(await readFile(file, 'utf8')));
}

const SCRIPTED_CRASH: Finding = {
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
};

/** Waits the script's delay; a cancelled run stops waiting. */
function pretend(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      reject(new Error('aborted'));
    });
  });
}

function scriptedResult(name: string, req: RunRequest, script: RunnerScript, crashes: boolean): RunResult {
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
    // Worded as a kernel runner words a test the crash cut short (runners/core/analyze.ts).
    tests: [
      {
        suite: 'dax',
        name: 'ext4-dax-mount',
        status: crashes ? 'fail' : 'pass',
        ...(crashes && {
          reason: `no result: guest stopped after: ${SCRIPTED_CRASH_TITLE}`,
          stoppedBy: SCRIPTED_CRASH_TITLE,
        }),
      },
    ],
    findings: crashes ? [SCRIPTED_CRASH] : [],
    failureClass: crashes ? 'kernel' : 'none',
    summary: crashes ? 'kernel crashed' : 'all tests passed',
    consoleLog: null,
    timings: {},
  };
}

export function createScriptedRunner(name: string, script: RunnerScript): Runner {
  return {
    name,
    description: 'scripted results (DAXBOT_SCRIPTED_RUNNER), no kernel is built',
    async run(req: RunRequest, ctx: RunContext): Promise<RunResult> {
      const started = Date.now();
      ctx.progress?.('build', 'scripted');
      await pretend(script.delayMs, ctx.signal);
      ctx.progress?.('test', 'scripted');
      const applied = req.mbox ? (req.patchLimit ?? countPatches(await readFile(req.mbox, 'utf8'))) : 0;
      const crashes = script.baseCrashes || (script.badPatch !== null && applied >= script.badPatch);
      return { ...scriptedResult(name, req, script, crashes), timings: { total: Date.now() - started } };
    },
  };
}
