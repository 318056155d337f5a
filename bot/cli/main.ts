/**
 * `daxbot` — the command line. Global options select the store, the configuration and the logs;
 * each command group lives in its own file and is registered here. Starting must stay cheap
 * (`daxbot --help` within a few times a bare `node`; `npm run bench -- cli`): this file and the
 * command files import only commander and light modules at load time, and the configuration
 * loader, the store and the logger are imported when a command first needs them.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command, Option } from 'commander';
import { repoRoot } from '../../config/repo-root.ts';
import type { Config } from '../../config/schema.ts';
import { ConfigError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/store.ts';
import type { CliContext } from './context.ts';
import { registerCommands } from './commands.ts';
import { exitCodeFor, reportError } from './exit-code.ts';
import { defaultLogFormat } from './options.ts';

const LOG_FORMATS = ['json', 'pretty'] as const;

/** The version in package.json. */
export function daxbotVersion(): string {
  const pkg: unknown = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
  const v = pkg !== null && typeof pkg === 'object' && 'version' in pkg ? pkg.version : undefined;
  return typeof v === 'string' ? v : 'unknown';
}

function globalOptions(program: Command, env: NodeJS.ProcessEnv): void {
  program
    .name('daxbot')
    .description('Tests pmem/DAX/dev_pagemap kernel patch series from lore and replies with the results.')
    .version(daxbotVersion(), '-V, --version', 'print the version')
    .option('--db <path>', 'store: a SQLite file or a postgres:// URL (env DAXBOT_DB; default from config)')
    .option('--config <file>', 'configuration file (YAML; env DAXBOT_CONFIG; default: config/default.yaml)')
    .option('--log-level <level>', 'log level (env DAXBOT_LOG_LEVEL)', env.DAXBOT_LOG_LEVEL || 'info')
    .addOption(
      new Option('--log-format <format>', 'logs on stderr: readable lines or JSON (env DAXBOT_LOG_FORMAT)')
        .choices(LOG_FORMATS)
        .default(defaultLogFormat(env, Boolean(process.stderr.isTTY)), 'pretty on a terminal, else json'),
    )
    // Global options go before the command (as git's): `series am --version N` is the command's.
    .enablePositionalOptions()
    // Every command inherits these: usage errors come back as CommanderError (exit 2, not 1).
    .exitOverride()
    .showHelpAfterError('(daxbot --help lists the commands and options)');
}

export function buildProgram(
  env: NodeJS.ProcessEnv = process.env,
  out: (line: string) => void = (l) => process.stdout.write(l + '\n'),
): { program: Command; cleanup: () => Promise<void> } {
  const program = new Command();
  globalOptions(program, env);
  let config: Config | undefined;
  let store: Promise<Store> | undefined;
  let log: Logger | undefined;
  // An empty variable counts as unset (DAXBOT_CONFIG= daxbot ...).
  const configFile = (): string | undefined => program.opts().config ?? (env.DAXBOT_CONFIG || undefined);
  const ctx: CliContext = {
    async config() {
      if (config) return config;
      const { loadConfig } = await import('../../config/load.ts');
      const file = configFile();
      const result = loadConfig(file, env, ctx.configDir());
      if (!result.ok) {
        for (const e of result.errors) process.stderr.write(`config error: ${e}\n`);
        throw new ConfigError(`invalid configuration${file ? ` in ${file}` : ' (built-in defaults)'}`);
      }
      config = result.config;
      return config;
    },
    configFile,
    configDir() {
      const file = configFile();
      return file ? path.resolve(file, '..') : process.cwd();
    },
    store() {
      store ??= (async () => {
        const { openStore } = await import('../store/store.ts');
        return openStore(program.opts().db ?? (env.DAXBOT_DB || undefined) ?? (await ctx.config()).database);
      })();
      return store;
    },
    get log(): Logger {
      if (!log) throw new Error('the logger is made before a command runs (preAction)');
      return log;
    },
    out,
    repoRoot,
    env,
  };
  program.hook('preAction', async (_program, cmd) => {
    const opts = cmd.optsWithGlobals();
    const { createLogger } = await import('../log.ts');
    log = createLogger({ level: String(opts.logLevel), format: opts.logFormat === 'json' ? 'json' : 'pretty' });
  });
  registerCommands(program, ctx);
  const cleanup = async () => {
    if (store) await (await store).close();
  };
  return { program, cleanup };
}

export async function main(argv: string[] = process.argv): Promise<number> {
  const { program, cleanup } = buildProgram();
  let code = 0;
  try {
    await program.parseAsync(argv);
  } catch (err) {
    reportError(err);
    code = exitCodeFor(err);
  } finally {
    await cleanup().catch(() => undefined);
  }
  return code;
}

/** Runs the command line of this process and sets its exit code (bin/daxbot.js calls this). */
export async function runCli(): Promise<void> {
  // `daxbot series list | head` closes our stdout early; that is not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  const code = await main();
  // A command may have set its own exit code (config check: 1 on errors); errors override it.
  if (code !== 0 || process.exitCode === undefined) process.exitCode = code;
}

// Run directly (`tsx bot/cli/main.ts`, `node dist/bot/cli/main.js`) rather than imported.
if (process.argv[1] && /bot\/cli\/main\.[jt]s$/.test(process.argv[1])) await runCli();
