import { writeSync } from 'node:fs';
import { destination, pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

export type LogFormat = 'json' | 'pretty';

/**
 * The root logger. Logs go to stderr so that stdout stays clean for `--json` output: pino's JSON
 * lines ('json', for files and log collectors), or one readable line per record ('pretty', what
 * the CLI uses on a terminal). Each series or job gets a child logger (`log.child({ series })`).
 */
export function createLogger(options: { level?: string; name?: string; format?: LogFormat } = {}): Logger {
  const level = options.level ?? process.env.DAXBOT_LOG_LEVEL ?? 'info';
  const format = options.format ?? 'json';
  const out =
    format === 'pretty' ? prettyStream(2, Boolean(process.stderr.isTTY) && !process.env.NO_COLOR) : destination(2);
  return pino({ name: options.name ?? 'daxbot', level }, out);
}

/** A logger that drops everything, for tests and pure code paths. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/** pino's records rewritten as readable lines, written synchronously (a crash loses no line). */
function prettyStream(fd: number, color: boolean): DestinationStream {
  return {
    write(line: string) {
      let record: unknown;
      try {
        record = JSON.parse(line);
      } catch {
        writeSync(fd, line);
        return;
      }
      const text =
        record !== null && typeof record === 'object' && !Array.isArray(record)
          ? prettyLogLine(Object.fromEntries(Object.entries(record)), color)
          : line.trimEnd();
      writeSync(fd, `${text}\n`);
    },
  };
}

const LEVELS: Record<number, { name: string; color: string }> = {
  10: { name: 'TRACE', color: '90' },
  20: { name: 'DEBUG', color: '36' },
  30: { name: 'INFO', color: '32' },
  40: { name: 'WARN', color: '33' },
  50: { name: 'ERROR', color: '31' },
  60: { name: 'FATAL', color: '35' },
};
/** pino's own fields, shown in the line's head or not at all. */
const HIDDEN = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg', 'err', 'v']);

function fieldValue(v: unknown): string {
  if (typeof v === 'string') return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  return JSON.stringify(v) ?? String(v);
}

/**
 * "14:02:03 WARN  dashboard: DAXBOT_DASHBOARD_TOKEN is not set env=DAXBOT_DASHBOARD_TOKEN": the
 * time (UTC), the level, the message, then every other field as key=value; an error's stack
 * follows on indented lines.
 */
export function prettyLogLine(record: Record<string, unknown>, color = false): string {
  const time = typeof record.time === 'number' ? new Date(record.time).toISOString().slice(11, 19) : '--:--:--';
  const level = LEVELS[typeof record.level === 'number' ? record.level : 30] ?? { name: 'LOG', color: '0' };
  const name = level.name.padEnd(5);
  const head = `${time} ${color ? `\u001b[${level.color}m${name}\u001b[0m` : name}`;
  const fields = Object.entries(record)
    .filter(([k]) => !HIDDEN.has(k))
    .map(([k, v]) => `${k}=${fieldValue(v)}`);
  const msg = typeof record.msg === 'string' ? record.msg : '';
  const lines = [[head, msg, ...fields].filter((p) => p !== '').join(' ')];
  const err = record.err;
  if (err !== null && typeof err === 'object') {
    const stack = 'stack' in err && typeof err.stack === 'string' ? err.stack : undefined;
    const message = 'message' in err && typeof err.message === 'string' ? err.message : JSON.stringify(err);
    lines.push(...(stack ?? message).split('\n').map((l) => `    ${l}`));
  }
  return lines.join('\n');
}
