/**
 * `daxbot export kcidb [--since WHEN] [-o FILE|-] [--json]`: daxbot's results as one KCIDB report
 * (kcidb-io schema v5.3), in a file (indented) or on stdout (`-o -`, the default: one line, so it
 * is also one JSON Lines record). The same report a configured KCIDB submitter sends per job, for
 * any span of time: a KCIDB endpoint or `kcidb-submit` takes it as is.
 */
import type { Command } from 'commander';
import { UsageError } from '../errors.ts';
import type { CliContext } from './context.ts';
import { parseSince } from './options.ts';
import { jsonLine } from './output.ts';

interface KcidbOptions {
  since?: string;
  output?: string;
  origin?: string;
  json?: boolean;
}

export function registerExportCommands(program: Command, ctx: CliContext): void {
  const exp = program.command('export').description("write daxbot's results for other systems");
  exp
    .command('kcidb')
    .description('results as KCIDB JSON (schema v5.3): checkouts, builds, tests, crashes as issues')
    .option('--since <when>', 'only jobs finished since then: "all" (the default), "14d", "36h" or a date')
    .option('-o, --output <file>', 'write the report to this file ("-": standard output, the default)')
    .option('--origin <name>', "the CI system's name in KCIDB (default: the kcidb output's origin, or daxbot)")
    .option('--json', 'with -o FILE: print what was written as one JSON object')
    .action(async (opts: KcidbOptions) => {
      const config = await ctx.config();
      const { ORIGIN } = await import('../outputs/kcidb/schema.ts');
      const origin = opts.origin ?? config.outputs.find((o) => o.kind === 'kcidb')?.origin ?? 'daxbot';
      if (!ORIGIN.test(origin)) throw new UsageError(`--origin ${origin}: lower-case letters, digits and "_" only`);
      const since = parseSince(opts.since ?? 'all', new Date());
      const store = await ctx.store();
      const { finishedJobResults } = await import('../outputs/kcidb/collect.ts');
      const { kcidbReport } = await import('../outputs/kcidb/report.ts');
      const jobs = await finishedJobResults(store, {
        since: since?.toISOString(),
        dashboardUrl: config.mail.dashboardUrl,
      });
      const report = kcidbReport(jobs, { origin });
      if (opts.output === undefined || opts.output === '-') {
        ctx.out(jsonLine(report));
        return;
      }
      const { writeFileSync } = await import('node:fs');
      writeFileSync(opts.output, `${JSON.stringify(report, null, 2)}\n`);
      const counts = {
        checkouts: report.checkouts.length,
        builds: report.builds.length,
        tests: report.tests.length,
        issues: report.issues.length,
        incidents: report.incidents.length,
      };
      if (opts.json) ctx.out(jsonLine({ file: opts.output, ...counts }));
      else
        ctx.out(
          `wrote ${counts.checkouts} checkouts, ${counts.builds} builds, ${counts.tests} tests, ` +
            `${counts.issues} issues (${counts.incidents} incidents) to ${opts.output}`,
        );
    });
}
