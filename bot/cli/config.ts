import type { Command } from 'commander';
import { loadConfig } from '../../config/load.ts';
import type { CliContext } from './context.ts';

export function registerConfigCommands(program: Command, ctx: CliContext): void {
  const config = program.command('config').description('inspect the configuration');
  config
    .command('check')
    .description('validate the configuration: prints errors and warnings, exits 1 on errors')
    .action(() => {
      const file = program.opts().config ?? ctx.env.DAXBOT_CONFIG;
      const result = loadConfig(file, ctx.env);
      for (const w of result.warnings) ctx.out(`warning: ${w}`);
      if (!result.ok) {
        for (const e of result.errors) ctx.out(`error: ${e}`);
        process.exitCode = 1;
        return;
      }
      ctx.out(
        `ok: ${file ?? '(defaults)'}: ${result.config.sources.length} sources, ${result.config.runners.length} runners, ${result.config.trees.length} trees`,
      );
    });
}
