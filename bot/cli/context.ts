/**
 * What every CLI command receives. Commands are registered by `registerXxx(program, ctx)`
 * functions, one file per command group, and main.ts wires them together. The context is lazy:
 * a command that needs no store never opens one.
 */
import type { Logger } from 'pino';
import type { Config } from '../../config/schema.ts';
import type { Store } from '../store/store.ts';

export interface CliContext {
  /** The validated configuration (from --config, or defaults). Exits with errors if invalid. */
  config(): Config;
  /** Opens (and migrates) the store selected by --db / DAXBOT_DB / config.database. */
  store(): Promise<Store>;
  log: Logger;
  /** Writes a line to stdout (machine-readable output goes here, logs go to stderr). */
  out(line: string): void;
  /** Absolute path of the repository root (for config/kernel fragments, guest scripts). */
  repoRoot: string;
  env: NodeJS.ProcessEnv;
}
