/**
 * `daxbot config check`: validates the configuration (the file --config names, else the built-in
 * config/default.yaml) as every command does, and prints its errors and warnings. Exit 1 on errors.
 */
import type { Command } from 'commander';
import type { CliContext } from './context.ts';
import { jsonLine } from './output.ts';

export function registerConfigCommands(program: Command, ctx: CliContext): void {
  const config = program.command('config').description('inspect the configuration');
  config
    .command('check')
    .description('validate the configuration: prints errors and warnings, exits 1 on errors')
    .option('--json', 'print {ok, file, errors, warnings, sources, runners, trees} as one JSON object')
    .action(async (opts: { json?: boolean }) => {
      const { DEFAULT_CONFIG_FILE, loadConfig } = await import('../../config/load.ts');
      const named = ctx.configFile();
      const result = loadConfig(named, ctx.env, ctx.configDir());
      const file = named ?? DEFAULT_CONFIG_FILE;
      if (!result.ok) process.exitCode = 1;
      if (opts.json) {
        const counts = result.ok
          ? {
              sources: result.config.sources.length,
              runners: result.config.runners.length,
              trees: result.config.trees.length,
            }
          : {};
        const errors = result.ok ? [] : result.errors;
        ctx.out(
          jsonLine({ ok: result.ok, file, builtIn: named === undefined, errors, warnings: result.warnings, ...counts }),
        );
        return;
      }
      for (const w of result.warnings) ctx.out(`warning: ${w}`);
      if (!result.ok) {
        for (const e of result.errors) ctx.out(`error: ${e}`);
        return;
      }
      const c = result.config;
      ctx.out(
        `ok: ${named ?? `${file} (built in)`}: ${c.sources.length} sources, ${c.runners.length} runners, ${c.trees.length} trees`,
      );
    });
}
