/**
 * The exit codes of the command line (README, "The command line"): 0 success, 1 the checked
 * thing failed (a configuration with errors, a run that could not be done: store, source or
 * machinery failures, and any unexpected error), 2 a usage or configuration error (unknown command
 * or option, missing or malformed argument, an invalid configuration, an unreadable input file),
 * 3 not found (no such series, message or runner).
 */
import { CommanderError } from 'commander';
import { DaxbotError } from '../errors.ts';

export const EXIT = { ok: 0, failed: 1, usage: 2, notFound: 3 } as const;

/** Error kinds that mean the command line or its configuration is wrong. */
const USAGE_KINDS = new Set(['usage', 'config', 'input']);

export function exitCodeFor(err: unknown): number {
  // commander's own: --help and --version end with 0, everything else it refuses is usage.
  if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  if (err instanceof DaxbotError) {
    if (err.kind === 'not-found') return EXIT.notFound;
    return USAGE_KINDS.has(err.kind) ? EXIT.usage : EXIT.failed;
  }
  return EXIT.failed;
}

/** One line on stderr for a known error (commander has printed its own), a stack for a bug. */
export function reportError(err: unknown, write: (s: string) => void = (s) => process.stderr.write(s)): void {
  if (err instanceof CommanderError) return;
  if (err instanceof DaxbotError) write(`daxbot: ${err.message}\n`);
  else write(`daxbot: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
}
