import { describe, expect, it } from 'vitest';
import { defaultLogFormat } from '../../../../bot/cli/options.ts';
import { prettyLogLine } from '../../../../bot/log.ts';

describe('log lines', () => {
  it('is readable on a terminal and JSON when piped, unless DAXBOT_LOG_FORMAT says', () => {
    expect(defaultLogFormat({}, true)).toBe('pretty');
    expect(defaultLogFormat({}, false)).toBe('json');
    expect(defaultLogFormat({ DAXBOT_LOG_FORMAT: 'json' }, true)).toBe('json');
  });

  it('turns a pino record into time, level, message and fields', () => {
    const line = prettyLogLine({
      level: 40,
      time: Date.parse('2024-05-01T14:02:03.456Z'),
      pid: 1,
      hostname: 'h',
      name: 'daxbot',
      msg: 'dashboard: token not set',
      env: 'DAXBOT_DASHBOARD_TOKEN',
      job: 7,
      detail: 'two words',
    });
    expect(line).toBe('14:02:03 WARN  dashboard: token not set env=DAXBOT_DASHBOARD_TOKEN job=7 detail="two words"');
  });

  it('prints an error stack on indented lines, and colours the level only when asked', () => {
    const line = prettyLogLine(
      {
        level: 50,
        time: 0,
        msg: 'job failed',
        err: { type: 'Error', message: 'boom', stack: 'Error: boom\n    at x' },
      },
      true,
    );
    expect(line.split('\n')).toEqual([
      '00:00:00 \u001b[31mERROR\u001b[0m job failed',
      '    Error: boom',
      '        at x',
    ]);
  });
});
