/** What `daxbot runner run` does once its options are read: pick the runner, run it, print the result. */
import path from 'node:path';
import { runnerSchema, type RunnerConfig } from '../../config/schema.ts';
import { getRunner } from '../../runners/registry.ts';
import { ensureLinuxTree, resolveCacheDir } from '../../runners/tree/setup.ts';
import type { RunResult } from '../../runners/types.ts';
import { ConfigError, NotFoundError } from '../errors.ts';
import type { CliContext } from './context.ts';
import { jsonLine } from './output.ts';

export interface RunOptions {
  runner: string;
  tree?: string;
  base?: string;
  mbox?: string;
  patchLimit?: number;
  suite?: string[];
  kernelArg?: string[];
  testTimeout?: string;
  workDir?: string;
  json?: boolean;
}

/** A configured runner by name, else the defaults for a runner kind. */
export function resolveRunnerConfig(configured: RunnerConfig[], nameOrKind: string): RunnerConfig {
  const byName = configured.find((r) => r.name === nameOrKind);
  if (byName) return byName;
  const parsed = runnerSchema.safeParse({ name: nameOrKind, kind: nameOrKind });
  if (!parsed.success)
    throw new ConfigError(`no runner named ${nameOrKind} and no runner kind of that name`, { runner: nameOrKind });
  return parsed.data;
}

/** One human line per test plus the summary (the non --json output). */
export function formatRunResult(r: RunResult): string[] {
  const lines = [`${r.runner}: ${r.failureClass} — ${r.summary}`];
  for (const t of r.tests)
    lines.push(`  ${t.status.padEnd(7)} ${t.suite}.${t.name}${t.reason ? `  (${t.reason})` : ''}`);
  for (const f of r.findings) lines.push(`  finding: ${f.title}`);
  if (r.consoleLog) lines.push(`  console: ${r.consoleLog}`);
  return lines;
}

export async function runRunner(ctx: CliContext, opts: RunOptions): Promise<void> {
  const config = await ctx.config();
  const cacheDir = resolveCacheDir(ctx.repoRoot, ctx.env, config.cacheDir);
  const rc = resolveRunnerConfig(config.runners, opts.runner);
  const runnerConfig: RunnerConfig = opts.testTimeout ? { ...rc, testTimeout: opts.testTimeout } : rc;
  const mod = getRunner(runnerConfig.kind);
  if (!mod) throw new NotFoundError(`runner kind ${runnerConfig.kind} is not registered`, { kind: runnerConfig.kind });
  let tree = opts.tree ? path.resolve(opts.tree) : undefined;
  let base = opts.base;
  if (!tree) {
    const cached = await ensureLinuxTree(cacheDir, ctx.log);
    tree = cached.path;
    base ??= cached.tag;
  }
  base ??= 'HEAD';
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const workDir = path.resolve(
    opts.workDir ?? path.join(ctx.repoRoot, config.workDir, 'runs', `${runnerConfig.name}-${stamp}`),
  );
  const r = mod.create(runnerConfig, {
    repoRoot: ctx.repoRoot,
    cacheDir,
    ...(opts.kernelArg ? { extraKernelArgs: opts.kernelArg } : {}),
  });
  const result = await r.run(
    {
      tree,
      base,
      workDir,
      ...(opts.mbox ? { mbox: path.resolve(opts.mbox) } : {}),
      ...(opts.patchLimit !== undefined ? { patchLimit: opts.patchLimit } : {}),
      ...(opts.suite ? { suites: opts.suite } : {}),
    },
    { log: ctx.log, progress: (step, detail) => ctx.log.info({ step, detail }, 'progress') },
  );
  if (opts.json) ctx.out(jsonLine(result));
  else for (const l of formatRunResult(result)) ctx.out(l);
}
