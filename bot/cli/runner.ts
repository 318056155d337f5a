/**
 * `daxbot runner ...`: the registered runner kinds, and a runner run by hand (apply, build, boot,
 * test) printing its RunResult. The work is in runner-run.ts, loaded when the command runs.
 */
import type { Command } from 'commander';
import type { CliContext } from './context.ts';
import { durationOption, nonNegativeInt } from './options.ts';
import { formatTable, jsonLine } from './output.ts';
import type { RunOptions } from './runner-run.ts';

export function registerRunnerCommands(program: Command, ctx: CliContext): void {
  const runner = program.command('runner').description('run the kernel test runners by hand');

  runner
    .command('list')
    .description('registered runner kinds')
    .option('--json', 'one JSON object {kind, description} per line')
    .action(async (opts: { json?: boolean }) => {
      const { listRunners } = await import('../../runners/registry.ts');
      const kinds = listRunners().map((m) => ({ kind: m.kind, description: m.description }));
      if (opts.json) for (const k of kinds) ctx.out(jsonLine(k));
      else
        for (const line of formatTable(
          [
            { header: 'KIND', value: (k: (typeof kinds)[number]) => k.kind },
            { header: 'DESCRIPTION', value: (k) => k.description },
          ],
          kinds,
        ))
          ctx.out(line);
    });

  runner
    .command('run')
    .description('apply a series (optional) on a base, build, boot and run the suites')
    .requiredOption('--runner <name>', 'a configured runner name or a runner kind (daxbot runner list)')
    .option('--tree <dir>', 'kernel git tree (default: the cached linux-6.1 tree)')
    .option('--base <rev>', "base revision (default: the tree's HEAD or its Debian tag)")
    .option('--mbox <file>', 'an am-ready mbox to apply')
    .option('--patch-limit <k>', 'apply only the first k patches', nonNegativeInt)
    .option('--suite <name...>', "suites to run (default: the runner's)")
    .option('--kernel-arg <arg...>', 'extra guest kernel arguments (e.g. daxbot.hang=ext4_mmap_rw)')
    .option('--test-timeout <duration>', 'per-test timeout (e.g. 60s)', durationOption)
    .option('--work-dir <dir>', 'where logs and NVDIMM files go')
    .option('--json', 'print the RunResult as one JSON object')
    .action(async (opts: RunOptions) => {
      const { runRunner } = await import('./runner-run.ts');
      await runRunner(ctx, opts);
    });
}
