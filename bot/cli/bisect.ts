/** `daxbot bisect --tree T --good A --bad B --test NAME`: git bisect along a tree with a runner. */
import path from 'node:path';
import type { Command } from 'commander';
import { ConfigError } from '../errors.ts';
import type { CliContext } from './context.ts';
import { jsonLine } from './output.ts';
import { wireFromCli } from './wire.ts';

interface BisectOptions {
  tree: string;
  good: string;
  bad: string;
  test: string;
  runner?: string;
  suite?: string[];
  json?: boolean;
}

async function bisect(ctx: CliContext, opts: BisectOptions) {
  const { bisectTree } = await import('../judge/bisect-tree.ts');
  const { treeStepTest } = await import('../jobs/tree-step.ts');
  const config = await ctx.config();
  const rc = opts.runner ? config.runners.find((r) => r.name === opts.runner) : config.runners.find((r) => r.enabled);
  if (!rc) throw new ConfigError(`no runner ${opts.runner ?? '(enabled)'} is configured`);
  const deps = await wireFromCli(ctx);
  const tree = config.trees.some((t) => t.name === opts.tree) ? deps.treePath(opts.tree) : path.resolve(opts.tree);
  const workDir = path.join(deps.workDir, 'bisect', `${Date.now()}`);
  return bisectTree({
    tree,
    good: opts.good,
    bad: opts.bad,
    test: treeStepTest({
      runner: deps.runnerFor(rc),
      tree,
      workDir,
      test: opts.test,
      log: ctx.log,
      ...(opts.suite && { suites: opts.suite }),
    }),
  });
}

export function registerBisectCommand(program: Command, ctx: CliContext): void {
  program
    .command('bisect')
    .description('find the first bad commit between two revisions of a tree (git bisect, one build and boot per step)')
    .requiredOption('--tree <name-or-path>', 'a configured tree name or a git repository path')
    .requiredOption('--good <rev>', 'a revision without the failure')
    .requiredOption('--bad <rev>', 'a revision with the failure')
    .requiredOption('--test <name>', '"suite/test" that fails, or "crash:<title>" for a console crash')
    .option('--runner <name>', 'configured runner (default: the first enabled)')
    .option('--suite <suite...>', 'suites to run at each step')
    .option('--json', 'print {steps, firstBad, candidates} as one JSON object')
    .action(async (opts: BisectOptions) => {
      const result = await bisect(ctx, opts);
      if (opts.json) {
        ctx.out(jsonLine({ steps: result.steps, firstBad: result.firstBad, candidates: result.candidates }));
        return;
      }
      for (const s of result.steps) ctx.out(`step: ${s.commit.slice(0, 12)} ${s.result}`);
      if (result.firstBad) ctx.out(`first bad commit: ${result.firstBad}`);
      else ctx.out(`first bad commit is one of: ${result.candidates.join(' ')}`);
    });
}
