/** Every command group of the CLI, in the order `daxbot --help` lists them. */
import type { Command } from 'commander';
import type { CliContext } from './context.ts';
import { registerConfigCommands } from './config.ts';
import { registerConsoleCommands } from './console.ts';
import { registerIngestCommand } from './ingest.ts';
import { registerSeriesCommands } from './series.ts';
import { registerRunCommands } from './run.ts';
import { registerRerunCommand } from './rerun.ts';
import { registerBisectCommand } from './bisect.ts';
import { registerReplayCommand } from './replay.ts';
import { registerRunnerCommands } from './runner.ts';
import { registerSetupCommand } from './setup.ts';
import { registerDashboardCommand } from './dashboard.ts';
import { registerExportCommands } from './export.ts';

export function registerCommands(program: Command, ctx: CliContext): void {
  registerSetupCommand(program, ctx);
  registerConfigCommands(program, ctx);
  registerIngestCommand(program, ctx);
  registerSeriesCommands(program, ctx);
  registerConsoleCommands(program, ctx);
  registerRunCommands(program, ctx);
  registerRerunCommand(program, ctx);
  registerBisectCommand(program, ctx);
  registerReplayCommand(program, ctx);
  registerRunnerCommands(program, ctx);
  registerDashboardCommand(program, ctx);
  registerExportCommands(program, ctx);
}
