/**
 * What every CLI command receives. Commands are registered by `registerXxx(program, ctx)`
 * functions, one file per command group, and main.ts wires them together. The context is lazy:
 * a command that needs no store never opens one, and `daxbot --help` loads neither the
 * configuration nor the logger. Command files import their heavy modules inside the action
 * (`await import(...)`) for the same reason.
 *
 * Output rule: results go to stdout through `out`, logs and progress to stderr. With `--json` a
 * command prints JSON Lines: each line one complete JSON object (output.ts `jsonLine`), one line
 * per record for a list (series list, runner list, series show), one line for anything else.
 */
import type { Logger } from 'pino';
import type { Config } from '../../config/schema.ts';
import type { Store } from '../store/store.ts';

export interface CliContext {
  /** The validated configuration (from --config, or the built-in defaults); a ConfigError if invalid. */
  config(): Promise<Config>;
  /** The file --config or DAXBOT_CONFIG names; undefined for the built-in config/default.yaml. */
  configFile(): string | undefined;
  /** The folder relative paths in the configuration are resolved from (the config file's, else cwd). */
  configDir(): string;
  /** Opens (and migrates) the store selected by --db / DAXBOT_DB / config.database. */
  store(): Promise<Store>;
  /** The root logger (stderr; readable lines or JSON, --log-format). */
  readonly log: Logger;
  /** Writes a line to stdout (machine-readable output goes here, logs go to stderr). */
  out(line: string): void;
  /** Absolute path of the repository root (for config/kernel fragments, guest scripts). */
  repoRoot: string;
  env: NodeJS.ProcessEnv;
}
