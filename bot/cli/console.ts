import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { Finding } from '../../runners/types.ts';
import { analyzeConsole } from '../../runners/parse/console.ts';
import { DaxbotError } from '../errors.ts';
import type { CliContext } from './context.ts';
import { jsonLine } from './output.ts';

/**
 * The stable JSON shape of `console analyze --json`: part of the CLI contract. The primary
 * finding's fields come first (null/[] when no crash), then every finding.
 */
export function consoleAnalysisJson(findings: Finding[]) {
  const primary = findings[0] ?? null;
  return {
    crash: primary !== null,
    title: primary?.title ?? null,
    type: primary?.type ?? null,
    rip: primary?.rip ?? null,
    trace: primary?.trace ?? [],
    findings: findings.map((f) => ({
      title: f.title,
      type: f.type,
      rip: f.rip,
      trace: f.trace,
      process: f.process ?? null,
      taint: f.taint ?? null,
    })),
  };
}

export function registerConsoleCommands(program: Command, ctx: CliContext): void {
  const consoleCmd = program.command('console').description('analyze kernel console logs');
  consoleCmd
    .command('analyze <file>')
    .description('find oops/BUG/WARNING/KASAN/lockdep/hang reports in a console log (exit 0 either way)')
    .option('--json', 'print the analysis as one JSON object')
    .action((file: string, opts: { json?: boolean }) => {
      let text: string;
      try {
        // latin1: console logs carry stray bytes and must never fail to decode.
        text = readFileSync(file, 'latin1');
      } catch (err) {
        throw new DaxbotError(
          'input',
          `cannot read console log ${file}: ${err instanceof Error ? err.message : String(err)}`,
          { file },
          { cause: err },
        );
      }
      const findings = analyzeConsole(text);
      if (opts.json) {
        ctx.out(jsonLine(consoleAnalysisJson(findings)));
        return;
      }
      if (findings.length === 0) {
        ctx.out(`${file}: no crash found`);
        return;
      }
      ctx.out(`${file}: ${findings.length} report${findings.length === 1 ? '' : 's'}`);
      findings.forEach((f, i) => {
        ctx.out(`${i === 0 ? '*' : ' '} [${f.type}] ${f.title}`);
        if (f.process) ctx.out(`    process: ${f.process}${f.taint ? ` (tainted ${f.taint})` : ''}`);
        if (f.rip) ctx.out(`    RIP: ${f.rip}`);
        for (const frame of f.trace.slice(0, 8)) ctx.out(`      ${frame}`);
        if (f.trace.length > 8) ctx.out(`      ... ${f.trace.length - 8} more frames`);
      });
    });
}
