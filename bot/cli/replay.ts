/**
 * `daxbot replay --mbox FILE --from DATE --to DATE [--apply-only] [--json]`: the pipeline over
 * historical mail (bot/replay/), as if each series arrived on its own date, sending nothing.
 * Replies that would be mailed are written to a `replay/` folder beside the outbox; SMTP and the
 * configured outputs are switched off and no source is polled.
 */
import path from 'node:path';
import type { Command } from 'commander';
import type { Config } from '../../config/schema.ts';
import { UsageError } from '../errors.ts';
import type { CliContext } from './context.ts';
import { importMboxFile } from './ingest.ts';
import { jsonLine } from './output.ts';
import { wireFromCli } from './wire.ts';

interface ReplayCliOptions {
  mbox?: string;
  from: string;
  to: string;
  applyOnly?: boolean;
  json?: boolean;
}

function isoDay(text: string, flag: string): string {
  const d = new Date(text);
  if (Number.isNaN(d.getTime())) throw new UsageError(`${flag} ${text} is not a date (YYYY-MM-DD)`);
  return d.toISOString();
}

/** The configuration a replay runs with: mail only to the replay folder, no outputs, no sources. */
export function replayConfig(config: Config, configDir: string): Config {
  const outbox = path.resolve(configDir, config.mail.outbox);
  const { smtp: _smtp, ...mail } = config.mail;
  const replayMail = { ...mail, outbox: path.join(path.dirname(outbox), 'replay') };
  return { ...config, sources: [], outputs: [], mail: replayMail };
}

async function runReplay(ctx: CliContext, opts: ReplayCliOptions): Promise<void> {
  const from = isoDay(opts.from, '--from');
  const to = isoDay(opts.to, '--to');
  if (from >= to) throw new UsageError('--from must be before --to');
  if (opts.mbox) await importMboxFile(opts.mbox, await ctx.store(), ctx);
  const { replay } = await import('../replay/replay.ts');
  const { replayLine, replaySummary } = await import('../replay/render.ts');
  const config = replayConfig(await ctx.config(), ctx.configDir());
  const deps = await wireFromCli(ctx, undefined, config);
  const { totals } = await replay(deps, {
    from,
    to,
    applyOnly: opts.applyOnly === true,
    onRow: (row) => ctx.out(opts.json ? jsonLine(row) : replayLine(row)),
  });
  if (opts.json) ctx.out(jsonLine(totals));
  else for (const line of replaySummary(totals)) ctx.out(line);
}

export function registerReplayCommand(program: Command, ctx: CliContext): void {
  program
    .command('replay')
    .description('run the pipeline over historical mail as if each series arrived on its date; sends nothing')
    .option('--mbox <file>', 'import this mbox or mboxrd file (gzip allowed) into the store first')
    .requiredOption('--from <date>', 'first day of the window (series first posted on or after it)')
    .requiredOption('--to <date>', 'end of the window (series first posted before it)')
    .option('--apply-only', 'stop each series after base discovery and git am (no kernel builds)')
    .option('--json', 'one JSON object per series version, then the totals as the last line')
    .action(async (opts: ReplayCliOptions) => runReplay(ctx, opts));
}
