/**
 * `daxbot` — the command line. Global options select the store and the configuration; each
 * command group lives in its own file and is registered here.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { loadConfig } from '../../config/load.ts';
import type { Config } from '../../config/schema.ts';
import { DaxbotError } from '../errors.ts';
import { createLogger } from '../log.ts';
import { openStore, type Store } from '../store/store.ts';
import type { CliContext } from './context.ts';
import { registerCommands } from './commands.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function buildProgram(
  env: NodeJS.ProcessEnv = process.env,
  out: (line: string) => void = (l) => process.stdout.write(l + '\n'),
): { program: Command; cleanup: () => Promise<void> } {
  const program = new Command();
  program
    .name('daxbot')
    .description('Tests pmem/DAX/dev_pagemap kernel patch series from lore and replies with the results.')
    .option('--db <path>', 'store: a SQLite file or a postgres:// URL (env DAXBOT_DB; default from config)')
    .option('--config <file>', 'configuration file (YAML; env DAXBOT_CONFIG)')
    .option('--log-level <level>', 'log level (env DAXBOT_LOG_LEVEL)', env.DAXBOT_LOG_LEVEL ?? 'info')
    .showHelpAfterError();

  let config: Config | undefined;
  let store: Promise<Store> | undefined;
  const log = createLogger({ level: env.DAXBOT_LOG_LEVEL ?? 'info' });
  const ctx: CliContext = {
    config() {
      if (config) return config;
      const file = program.opts().config ?? env.DAXBOT_CONFIG;
      const result = loadConfig(file, env);
      if (!result.ok) {
        for (const e of result.errors) process.stderr.write(`config error: ${e}\n`);
        throw new DaxbotError('config', `invalid configuration${file ? ` in ${file}` : ''}`);
      }
      config = result.config;
      return config;
    },
    store() {
      if (!store) {
        const location = program.opts().db ?? env.DAXBOT_DB ?? ctx.config().database;
        store = openStore(location);
      }
      return store;
    },
    log,
    out,
    repoRoot,
    env,
  };
  program.hook('preAction', (cmd) => {
    const level = cmd.optsWithGlobals().logLevel;
    if (typeof level === 'string') log.level = level;
  });
  registerCommands(program, ctx);
  const cleanup = async () => {
    if (store) await (await store).close();
  };
  return { program, cleanup };
}

export async function main(argv: string[] = process.argv): Promise<number> {
  const { program, cleanup } = buildProgram();
  program.exitOverride();
  let code = 0;
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) code = err.exitCode;
    else if (err instanceof DaxbotError) {
      process.stderr.write(`daxbot: ${err.message}\n`);
      code = err.kind === 'not-found' ? 3 : 2;
    } else {
      process.stderr.write(`daxbot: ${(err as Error).stack ?? String(err)}\n`);
      code = 1;
    }
  } finally {
    await cleanup().catch(() => undefined);
  }
  return code;
}

// `daxbot series list | head` closes our stdout early; that is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const isEntry = process.argv[1] && /(bot\/cli\/main\.ts|bin\/daxbot(\.js)?)$/.test(process.argv[1]);
if (isEntry) {
  const code = await main();
  // A command may have set its own exit code (config check: 1 on errors); errors override it.
  if (code !== 0 || process.exitCode === undefined) process.exitCode = code;
}
