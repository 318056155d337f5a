/**
 * What an allowed command does, as data: a re-run (with the suites, repeats and base it names),
 * an "unrelated" mark for a crash title, or withdrawing the report. Pure; process.ts performs
 * it, and the answer (report/render/command.ts) says what it did.
 */
import type { Command } from './parse.ts';

export type CommandEffect =
  | { kind: 'rerun'; suites?: string[]; repeats?: number; base?: string }
  | { kind: 'unrelated'; crashTitle: string }
  | { kind: 'invalid' };

export function commandEffect(cmd: Command): CommandEffect {
  switch (cmd.kind) {
    case 'retest':
      return { kind: 'rerun' };
    case 'test':
      return {
        kind: 'rerun',
        ...(cmd.suites.length > 0 && { suites: cmd.suites }),
        ...(cmd.repeat !== undefined && { repeats: cmd.repeat }),
        ...(cmd.base !== undefined && { base: cmd.base }),
      };
    case 'unrelated':
      return { kind: 'unrelated', crashTitle: cmd.crashTitle };
    case 'invalid':
      return { kind: 'invalid' };
  }
}
