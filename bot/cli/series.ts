/**
 * `daxbot series list|show|am`: the assembled patch series in the store. `am -o -` writes the
 * mbox to stdout, as b4 does.
 */
import type { Command } from 'commander';
import type { SeriesVersion } from '../../ingest/series/types.ts';
import { incompleteWarning } from '../../ingest/series/am-choice.ts';
import { NotFoundError, UsageError } from '../errors.ts';
import type { SeriesVersionRow } from '../store/series.ts';
import type { CliContext } from './context.ts';
import { nonNegativeInt, parsePattern, parseSince, positiveInt } from './options.ts';
import { jsonLine, terminalWidth } from './output.ts';
import { filterSeries, seriesListEntry, seriesTable } from './series-list.ts';

export { seriesListEntry } from './series-list.ts';

interface ListOptions {
  json?: boolean;
  complete?: boolean;
  project?: string;
  since?: string;
  author?: string;
  grep?: string;
  limit?: number;
}

function registerList(series: Command, ctx: CliContext): void {
  series
    .command('list')
    .description('a table of the series versions (oldest first), or one JSON object per version')
    .option('--json', 'one JSON object per line')
    .option('--complete', 'only complete versions')
    .option('--project <name>', 'only this project (kernel, ndctl, ...)')
    .option('--since <when>', 'only versions posted since ("14d", "36h" or a date)')
    .option('--author <text>', "only versions whose author's name or address contains this (any case)")
    .option('--grep <regex>', 'only versions whose subject matches (any case)')
    .option('--limit <n>', 'only the newest n (after the other filters)', nonNegativeInt)
    .action(async (opts: ListOptions) => {
      const filter = {
        ...opts,
        since: opts.since !== undefined ? parseSince(opts.since, new Date()) : undefined,
        grep: opts.grep !== undefined ? parsePattern(opts.grep, '--grep') : undefined,
      };
      const store = await ctx.store();
      const { listSeriesVersions } = await import('../store/series.ts');
      const rows = filterSeries(await listSeriesVersions(store.db), filter);
      if (opts.json) for (const row of rows) ctx.out(jsonLine(seriesListEntry(row)));
      else if (rows.length === 0) ctx.out('no series versions match');
      else for (const line of seriesTable(rows, terminalWidth())) ctx.out(line);
    });
}

async function showVersion(ctx: CliContext, row: SeriesVersionRow, others: SeriesVersionRow[]): Promise<void> {
  const { invalidMark, unrelatedMarks } = await import('../store/marks.ts');
  const db = (await ctx.store()).db;
  const v = JSON.parse(row.data) as SeriesVersion; // written by saveSeriesVersions
  ctx.out(`series version ${row.id}: ${v.subject}`);
  ctx.out(`  key:        ${v.key}`);
  ctx.out(`  author:     ${row.author}`);
  ctx.out(`  date:       ${row.first_date ?? '(none)'}`);
  ctx.out(
    `  revision:   v${v.revision}${v.isRfc ? ' RFC' : ''}${v.isResend ? ' RESEND' : ''}${v.partialReroll ? ' (partial reroll)' : ''}`,
  );
  ctx.out(`  project:    ${v.project}`);
  ctx.out(
    `  patches:    ${v.patches.length}/${v.expected}${v.complete ? ' complete' : `, missing ${v.missing.join(', ')}`}`,
  );
  ctx.out(`  cover:      ${v.coverMessageId ?? '(none)'}`);
  ctx.out(`  root:       ${v.rootMessageId}`);
  if (v.baseCommit) ctx.out(`  base-commit: ${v.baseCommit}`);
  for (const id of v.prerequisiteMessageIds) ctx.out(`  prerequisite-message-id: ${id}`);
  for (const id of v.prerequisitePatchIds) ctx.out(`  prerequisite-patch-id: ${id}`);
  for (const p of v.patches) {
    ctx.out(`  [${p.counter}/${v.expected}] ${p.subject}  <${p.messageId}>`);
    for (const t of p.followupTrailers) ctx.out(`        + ${t.name}: ${t.value}`);
  }
  const withdrawn = await invalidMark(db, v.key);
  if (withdrawn)
    ctx.out(
      `  report:     invalid (withdrawn by ${withdrawn.markedBy} on ${withdrawn.markedAt.slice(0, 10)}; results are not mailed)`,
    );
  for (const m of await unrelatedMarks(db, row.series_key))
    ctx.out(`  unrelated:  ${m.title} (marked by ${m.markedBy} on ${m.markedAt.slice(0, 10)})`);
  for (const o of others)
    ctx.out(
      `  other version: ${o.id} v${o.revision} ${o.present}/${o.expected}${o.complete ? '' : ' incomplete'} <${o.root_message_id}>`,
    );
}

function registerShow(series: Command, ctx: CliContext): void {
  series
    .command('show <ref>')
    .description('a series version by id, version key or any Message-ID in it, with its other versions')
    .option('--json', 'print each matching version as one JSON object per line')
    .action(async (ref: string, opts: { json?: boolean }) => {
      const store = await ctx.store();
      const { findSeriesVersions, listSeriesVersions } = await import('../store/series.ts');
      const rows = await findSeriesVersions(store.db, ref);
      if (rows.length === 0) throw new NotFoundError(`no series version for ${ref}`, { ref });
      for (const row of rows) {
        if (opts.json) {
          ctx.out(jsonLine({ id: row.id, ...(JSON.parse(row.data) as SeriesVersion) }));
          continue;
        }
        const others = (await listSeriesVersions(store.db)).filter(
          (r) => r.series_key === row.series_key && r.id !== row.id,
        );
        await showVersion(ctx, row, others);
      }
    });
}

interface AmOptions {
  output: string;
  version?: number;
  json?: boolean;
}

function registerAm(series: Command, ctx: CliContext): void {
  series
    .command('am <message-id>')
    .description('write the am-ready mbox of the series this message belongs to (newest version, as b4 am)')
    .requiredOption('-o, --output <file>', 'where to write the mbox ("-": standard output, as in b4)')
    .option('--version <n>', 'this revision instead of the newest one', positiveInt)
    .option('--json', 'print what was written as one JSON object (not with -o -)')
    .action(async (messageId: string, opts: AmOptions) => {
      const toStdout = opts.output === '-';
      if (toStdout && opts.json) throw new UsageError('--json and -o - both want standard output; choose one');
      const store = await ctx.store();
      const { findSeriesVersions, listSeriesVersions } = await import('../store/series.ts');
      const rows = await findSeriesVersions(store.db, messageId);
      if (rows.length === 0) throw new NotFoundError(`no series contains ${messageId}`, { messageId });
      // The message may belong to one version; its siblings across threads are candidates too.
      const all = (await listSeriesVersions(store.db)).filter((r) => rows.some((x) => x.series_key === r.series_key));
      const { exportAmMbox, pickVersion } = await import('../intake/am-export.ts');
      const chosen = pickVersion(all, opts.version);
      if (!chosen)
        throw new NotFoundError(`no ${opts.version ? `v${opts.version} ` : ''}version of the series of ${messageId}`, {
          messageId,
        });
      const mbox = await exportAmMbox(store, chosen.version_key);
      const v = JSON.parse(chosen.data) as SeriesVersion;
      // As b4: the patches that are there are written, and the holes are named (in the log, on stderr).
      const warning = incompleteWarning(v);
      if (warning) ctx.log.warn({ version: v.key, missing: v.missing }, warning);
      const said = `${v.patches.length} patches of v${v.revision} "${v.subject}"`;
      if (toStdout) {
        process.stdout.write(mbox);
        process.stderr.write(`wrote ${said} to standard output\n`);
        return;
      }
      const { writeFileSync } = await import('node:fs');
      writeFileSync(opts.output, mbox);
      if (opts.json)
        ctx.out(
          jsonLine({
            file: opts.output,
            key: v.key,
            version: v.revision,
            subject: v.subject,
            patches: v.patches.length,
            missing: v.missing,
          }),
        );
      else ctx.out(`wrote ${said} to ${opts.output}`);
    });
}

export function registerSeriesCommands(program: Command, ctx: CliContext): void {
  const series = program.command('series').description('list, show and export assembled patch series');
  registerList(series, ctx);
  registerShow(series, ctx);
  registerAm(series, ctx);
}
