/**
 * `daxbot bisect --tree T --good A --bad B --test NAME`: git bisect along a tree with a runner.
 * With --report, prints the report to post (render/tree-bisection.ts: the first bad commit and
 * the regzbot line; --in-reply-to when it goes in the regression report's thread).
 */
import path from 'node:path';
import type { Command } from 'commander';
import { ConfigError } from '../errors.ts';
import type { CliContext } from './context.ts';
import { jsonLine } from './output.ts';
import { wireFromCli } from './wire.ts';
import type { TreeBisectResult } from '../judge/bisect-tree.ts';

interface BisectOptions {
  tree: string;
  good: string;
  bad: string;
  test: string;
  runner?: string;
  suite?: string[];
  json?: boolean;
  report?: boolean;
  inReplyTo?: string;
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
  const result = await bisectTree({
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
  return { result, tree };
}

/** The report's text: each commit with its subject, read from the tree. */
async function reportText(opts: BisectOptions, result: TreeBisectResult, tree: string): Promise<string> {
  const { renderTreeBisection } = await import('../report/render/tree-bisection.ts');
  const { namedCommits } = await import('../judge/bisect-tree.ts');
  return renderTreeBisection({
    tree: opts.tree,
    good: opts.good,
    bad: opts.bad,
    test: opts.test,
    ...(await namedCommits(result, tree)),
    ...(opts.inReplyTo && { inReplyTo: opts.inReplyTo }),
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
    .option('--json', 'print {steps, firstBad, candidates} as one JSON object (with --report, its text too)')
    .option('--report', 'print the report to post, with the regzbot line when a commit is named')
    .option(
      '--in-reply-to <message-id>',
      'the report answers the regression report in its thread (#regzbot ^introduced)',
    )
    .action(async (opts: BisectOptions) => {
      const { result, tree } = await bisect(ctx, opts);
      const report = opts.report || opts.inReplyTo ? await reportText(opts, result, tree) : undefined;
      if (opts.json) {
        const { steps, firstBad, candidates } = result;
        ctx.out(jsonLine({ steps, firstBad, candidates, ...(report !== undefined && { report }) }));
        return;
      }
      if (report !== undefined) {
        ctx.out(report.trimEnd());
        return;
      }
      for (const s of result.steps) ctx.out(`step: ${s.commit.slice(0, 12)} ${s.result}`);
      if (result.firstBad) ctx.out(`first bad commit: ${result.firstBad}`);
      else ctx.out(`first bad commit is one of: ${result.candidates.join(' ')}`);
    });
}
