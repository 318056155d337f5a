/**
 * `npm run bench -- replay`: `daxbot replay --apply-only` over the real nvdimm archive with both
 * Debian trees configured (issue 11 must-shows 1 and 9), run as a user runs it (the CLI, a fresh
 * store). Prints the table, the totals, series per second, and how the time splits between base
 * discovery (of it `git am`) and the rest (store, am-mbox export). The archive import is timed
 * apart. BENCH_REPLAY_FROM / BENCH_REPLAY_TO set the window (default 2022-08-15 .. 2023-02-01).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { z } from 'zod';
import { silentLogger } from '../../bot/log.ts';
import { replayLine, replaySummary } from '../../bot/replay/render.ts';
import { debianTarball, ensureLinuxTree } from '../../runners/tree/setup.ts';
import { kernelCacheDir, repoRoot } from '../helpers/kernel-env.ts';

const run = promisify(execFile);
const ARCHIVE = path.join(repoRoot, '..', 'shared', 'corpus', 'lore-nvdimm', 'nvdimm.all.mboxrd.gz');

const counts = z.record(z.string(), z.number());
const replayTotalsSchema = z.object({
  series: z.number(),
  applied: z.number(),
  noBase: z.number(),
  wouldMail: z.number(),
  applyFailed: z.number(),
  byTree: counts,
  byMethod: counts,
  ms: z.number(),
  discoveryMs: z.number(),
  amMs: z.number(),
});
// The CLI's own JSON: the row fields the table prints are checked, the rest passed through.
const replayRowSchema = z
  .object({
    versionKey: z.string(),
    date: z.string().nullable(),
    subject: z.string(),
    patches: z.number(),
    tree: z.string().nullable(),
    base: z.string().nullable(),
    method: z.enum(['maintainer', 'base-commit', 'blobs', 'tree-head']).nullable(),
    certain: z.boolean(),
    how: z.string(),
    outcome: z.string(),
    applied: z.boolean(),
    failedPatch: z.number().optional(),
    wouldMail: z.boolean(),
    ms: z.number(),
    discoveryMs: z.number(),
    amMs: z.number(),
  })
  .passthrough();

function pct(part: number, whole: number): string {
  return `${((100 * part) / Math.max(whole, 1)).toFixed(0)} %`;
}

async function daxbot(config: string, args: string[]): Promise<string> {
  const bin = path.join(repoRoot, 'bin', 'daxbot.js');
  const env = { ...process.env, DAXBOT_LOG_LEVEL: 'warn' };
  const { stdout } = await run(process.execPath, [bin, '--config', config, ...args], {
    env,
    maxBuffer: 256 << 20,
  });
  return stdout;
}

function writeConfig(dir: string): string {
  const trees = ['6.1', '6.12'].map(
    (v) => `  - { name: linux-${v}, debian: "${v}", branch: HEAD, lists: [nvdimm.lists.linux.dev] }`,
  );
  const file = path.join(dir, 'config.yaml');
  const lines = [`database: ${dir}/db.sqlite`, `cacheDir: ${kernelCacheDir}`, `workDir: ${dir}/work`, 'trees:'];
  writeFileSync(file, [...lines, ...trees, `mail: { outbox: ${dir}/outbox }`, ''].join('\n'));
  return file;
}

export async function benchReplay(): Promise<void> {
  if (!existsSync(ARCHIVE) || !existsSync(debianTarball('6.12'))) {
    process.stdout.write('replay: needs ../shared/corpus/lore-nvdimm and linux-source-6.1/6.12; skipped\n');
    return;
  }
  for (const v of ['6.1', '6.12'])
    await ensureLinuxTree(kernelCacheDir, silentLogger(), { name: `linux-${v}`, tarball: debianTarball(v) });
  const from = process.env.BENCH_REPLAY_FROM ?? '2022-08-15';
  const to = process.env.BENCH_REPLAY_TO ?? '2023-02-01';
  const dir = mkdtempSync(path.join(os.tmpdir(), 'daxbot-bench-replay-'));
  try {
    const config = writeConfig(dir);
    let t = Date.now();
    await daxbot(config, ['ingest', '--mbox', ARCHIVE, '--json']);
    const importS = (Date.now() - t) / 1000;
    t = Date.now();
    const out = await daxbot(config, ['replay', '--from', from, '--to', to, '--apply-only', '--json']);
    const wallS = (Date.now() - t) / 1000;
    const lines = out.trim().split('\n');
    const totals = replayTotalsSchema.parse(JSON.parse(lines.pop() ?? '{}'));
    for (const l of lines) process.stdout.write(`${replayLine(replayRowSchema.parse(JSON.parse(l)))}\n`);
    for (const l of replaySummary(totals)) process.stdout.write(`${l}\n`);
    const rest = totals.ms - totals.discoveryMs - totals.amMs;
    process.stdout.write(
      `archive import ${importS.toFixed(1)} s (not in the replay); replay wall ${wallS.toFixed(1)} s: ` +
        `git am ${pct(totals.amMs, totals.ms)}, base discovery apart from git am (lookups, blob matching) ` +
        `${pct(totals.discoveryMs, totals.ms)}, store and mbox export ${pct(rest, totals.ms)}\n`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
