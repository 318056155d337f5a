/**
 * `daxbot runner ...`: run a runner by hand (apply, build, boot, test) and print the RunResult.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { runnerSchema, type RunnerConfig } from '../../config/schema.ts';
import { getRunner, listRunners } from '../../runners/registry.ts';
import { ensureLinuxTree, resolveCacheDir } from '../../runners/tree/setup.ts';
import type { RunResult } from '../../runners/types.ts';
import { ConfigError, NotFoundError } from '../errors.ts';
import type { CliContext } from './context.ts';

interface RunOptions {
  runner: string;
  tree?: string;
  base?: string;
  mbox?: string;
  patchLimit?: string;
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

export function registerRunnerCommands(program: Command, ctx: CliContext): void {
  const runner = program.command('runner').description('run the kernel test runners by hand');

  runner
    .command('list')
    .description('registered runner kinds')
    .action(() => {
      for (const m of listRunners()) ctx.out(`${m.kind}\t${m.description}`);
    });

  runner
    .command('run')
    .description('apply a series (optional) on a base, build, boot and run the suites')
    .requiredOption(
      '--runner <name>',
      `a configured runner name or a runner kind (${listRunners()
        .map((m) => m.kind)
        .join(', ')})`,
    )
    .option('--tree <dir>', 'kernel git tree (default: the cached linux-6.1 tree)')
    .option('--base <rev>', "base revision (default: the tree's HEAD or its Debian tag)")
    .option('--mbox <file>', 'an am-ready mbox to apply')
    .option('--patch-limit <k>', 'apply only the first k patches')
    .option('--suite <name...>', "suites to run (default: the runner's)")
    .option('--kernel-arg <arg...>', 'extra guest kernel arguments (e.g. daxbot.hang=ext4_mmap_rw)')
    .option('--test-timeout <duration>', 'per-test timeout (e.g. 60s)')
    .option('--work-dir <dir>', 'where logs and NVDIMM files go')
    .option('--json', 'print the RunResult as JSON')
    .action(async (opts: RunOptions) => {
      const config = ctx.config();
      const cacheDir = resolveCacheDir(ctx.repoRoot, ctx.env, config.cacheDir);
      const rc = resolveRunnerConfig(config.runners, opts.runner);
      const runnerConfig: RunnerConfig = opts.testTimeout ? { ...rc, testTimeout: opts.testTimeout } : rc;
      const mod = getRunner(runnerConfig.kind);
      if (!mod)
        throw new NotFoundError(`runner kind ${runnerConfig.kind} is not registered`, { kind: runnerConfig.kind });
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
          ...(opts.patchLimit ? { patchLimit: Number(opts.patchLimit) } : {}),
          ...(opts.suite ? { suites: opts.suite } : {}),
        },
        { log: ctx.log, progress: (step, detail) => ctx.log.info({ step, detail }, 'progress') },
      );
      if (opts.json) ctx.out(JSON.stringify(result, null, 2));
      else for (const l of formatRunResult(result)) ctx.out(l);
    });
}
