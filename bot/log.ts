import { destination, pino, type Logger } from 'pino';

export type { Logger };

/**
 * The root logger. Logs go to stderr so that stdout stays clean for `--json` output.
 * Each series or job gets a child logger (`log.child({ series })`).
 */
export function createLogger(options: { level?: string; name?: string } = {}): Logger {
  const level = options.level ?? process.env.DAXBOT_LOG_LEVEL ?? 'info';
  return pino({ name: options.name ?? 'daxbot', level }, destination(2));
}

/** A logger that drops everything, for tests and pure code paths. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
