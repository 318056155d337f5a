/**
 * `daxbot export kcidb [--since DATE] [-o FILE]`: daxbot's results as one KCIDB report (kcidb-io
 * schema v5.3) on stdout or in a file. The same report a configured KCIDB submitter sends per
 * job, for any span of time: `kcidb-submit` or a KCIDB endpoint can take it as is.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { UsageError } from '../errors.ts';
import { finishedJobResults } from '../outputs/kcidb/collect.ts';
import { kcidbReport } from '../outputs/kcidb/report.ts';
import { ORIGIN } from '../outputs/kcidb/schema.ts';
import type { CliContext } from './context.ts';

interface KcidbOptions {
  since?: string;
  output?: string;
  origin?: string;
}

function sinceIso(since: string | undefined): string | undefined {
  if (since === undefined) return undefined;
  const t = Date.parse(since);
  if (!Number.isFinite(t)) throw new UsageError(`--since ${since} is not a date (e.g. 2025-01-31)`, { since });
  return new Date(t).toISOString();
}

export function registerExportCommands(program: Command, ctx: CliContext): void {
  const exp = program.command('export').description("write daxbot's results for other systems");
  exp
    .command('kcidb')
    .description('results as KCIDB JSON (schema v5.3): checkouts, builds, tests, crashes as issues')
    .option('--since <date>', 'only jobs finished at or after this date (ISO 8601)')
    .option('-o, --output <file>', 'write the report to this file ("-": stdout, the default)')
    .option('--origin <name>', "the CI system's name in KCIDB (default: the kcidb output's origin, or daxbot)")
    .action(async (opts: KcidbOptions) => {
      const config = ctx.config();
      const origin = opts.origin ?? config.outputs.find((o) => o.kind === 'kcidb')?.origin ?? 'daxbot';
      if (!ORIGIN.test(origin)) throw new UsageError(`--origin ${origin}: lower-case letters, digits and "_"`, {});
      const store = await ctx.store();
      const jobs = await finishedJobResults(store, {
        since: sinceIso(opts.since),
        dashboardUrl: config.mail.dashboardUrl,
      });
      const report = kcidbReport(jobs, { origin });
      const text = JSON.stringify(report, null, 2);
      if (opts.output === undefined || opts.output === '-') {
        ctx.out(text);
        return;
      }
      writeFileSync(opts.output, `${text}\n`);
      ctx.out(
        `wrote ${report.checkouts.length} checkouts, ${report.builds.length} builds, ${report.tests.length} tests, ` +
          `${report.issues.length} issues (${report.incidents.length} incidents) to ${opts.output}`,
      );
    });
}
