import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { exitCodeFor, reportError } from '../../../../bot/cli/exit-code.ts';
import {
  ConfigError,
  DaxbotError,
  InfraError,
  NotFoundError,
  SourceError,
  StoreError,
  UsageError,
} from '../../../../bot/errors.ts';

describe('exit codes (README: 0 ok, 1 failure, 2 usage or configuration, 3 not found)', () => {
  it('maps commander and typed errors', () => {
    expect(exitCodeFor(new CommanderError(0, 'commander.version', '0.1.0'))).toBe(0);
    expect(exitCodeFor(new CommanderError(0, 'commander.helpDisplayed', ''))).toBe(0);
    expect(exitCodeFor(new CommanderError(1, 'commander.unknownCommand', 'x'))).toBe(2);
    expect(exitCodeFor(new CommanderError(1, 'commander.missingMandatoryOptionValue', 'x'))).toBe(2);
    expect(exitCodeFor(new CommanderError(1, 'commander.help', ''))).toBe(2);
    expect(exitCodeFor(new UsageError('x'))).toBe(2);
    expect(exitCodeFor(new ConfigError('x'))).toBe(2);
    expect(exitCodeFor(new DaxbotError('input', 'unreadable'))).toBe(2);
    expect(exitCodeFor(new NotFoundError('x'))).toBe(3);
    expect(exitCodeFor(new InfraError('qemu died'))).toBe(1);
    expect(exitCodeFor(new StoreError('x'))).toBe(1);
    expect(exitCodeFor(new SourceError('x'))).toBe(1);
    expect(exitCodeFor(new Error('bug'))).toBe(1);
  });

  it('says one line for a known error and leaves commander its own message', () => {
    const out: string[] = [];
    reportError(new NotFoundError('no series version for x'), (s) => out.push(s));
    reportError(new CommanderError(1, 'commander.unknownCommand', 'error: unknown command'), (s) => out.push(s));
    expect(out).toEqual(['daxbot: no series version for x\n']);
  });
});
