/** `daxbot bisect --tree T --good A --bad B --test NAME`: git bisect along a tree with a runner. */
import path from 'node:path';
import type { Command } from 'commander';
import { bisectTree } from '../judge/bisect-tree.ts';
import { loadRunnerScript } from '../../runners/scripted/runner.ts';
import { treeStepTest } from '../pipeline/tree-step.ts';
import { wirePipeline } from '../pipeline/wire.ts';
import { ConfigError } from '../errors.ts';
import type { CliContext } from './context.ts';

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
    .action(
      async (opts: { tree: string; good: string; bad: string; test: string; runner?: string; suite?: string[] }) => {
        const config = ctx.config();
        const store = await ctx.store();
        const rc = opts.runner
          ? config.runners.find((r) => r.name === opts.runner)
          : config.runners.find((r) => r.enabled);
        if (!rc) throw new ConfigError(`no runner ${opts.runner ?? '(enabled)'} is configured`);
        const scriptFile = ctx.env.DAXBOT_SCRIPTED_RUNNER;
        const script = scriptFile ? await loadRunnerScript(scriptFile) : undefined;
        const configFile: unknown = program.opts().config ?? ctx.env.DAXBOT_CONFIG;
        const configDir = typeof configFile === 'string' ? path.resolve(configFile, '..') : process.cwd();
        const deps = wirePipeline({
          config,
          store,
          log: ctx.log,
          repoRoot: ctx.repoRoot,
          env: ctx.env,
          configDir,
          ...(script && { script }),
        });
        const tree = config.trees.some((t) => t.name === opts.tree)
          ? deps.treePath(opts.tree)
          : path.resolve(opts.tree);
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
        for (const s of result.steps) ctx.out(`step: ${s.commit.slice(0, 12)} ${s.result}`);
        if (result.firstBad) ctx.out(`first bad commit: ${result.firstBad}`);
        else ctx.out(`first bad commit is one of: ${result.candidates.join(' ')}`);
      },
    );
}
