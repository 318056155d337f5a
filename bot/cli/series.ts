import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { SeriesVersion } from '../../ingest/series/types.ts';
import { incompleteWarning } from '../../ingest/series/am-choice.ts';
import { NotFoundError } from '../errors.ts';
import { invalidMark, unrelatedMarks } from '../store/marks.ts';
import { findSeriesVersions, listSeriesVersions, type SeriesVersionRow } from '../store/series.ts';
import type { CliContext } from './context.ts';

/** The stable JSON shape of `series list --json` (one object per line): part of the CLI contract. */
export function seriesListEntry(row: SeriesVersionRow) {
  return {
    id: row.id,
    key: row.version_key,
    seriesKey: row.series_key,
    rootMessageId: row.root_message_id,
    subject: row.subject,
    version: row.revision,
    project: row.project,
    expected: row.expected,
    present: row.present,
    complete: row.complete === 1,
    hasCover: row.has_cover === 1,
    baseCommit: row.base_commit,
    author: row.author,
    date: row.first_date,
  };
}

export function registerSeriesCommands(program: Command, ctx: CliContext): void {
  const series = program.command('series').description('list, show and export assembled patch series');

  series
    .command('list')
    .description('one line per series version (newest last)')
    .option('--json', 'one JSON object per line')
    .option('--complete', 'only complete versions')
    .option('--project <name>', 'only this project (kernel, ndctl, ...)')
    .action(async (opts: { json?: boolean; complete?: boolean; project?: string }) => {
      const store = await ctx.store();
      for (const row of await listSeriesVersions(store.db)) {
        if (opts.complete && row.complete !== 1) continue;
        if (opts.project && row.project !== opts.project) continue;
        const e = seriesListEntry(row);
        if (opts.json) ctx.out(JSON.stringify(e));
        else
          ctx.out(
            `${String(e.id).padStart(5)} v${e.version} ${e.present}/${e.expected}${e.complete ? ' ' : '!'}${e.hasCover ? 'c' : ' '} ` +
              `${e.project === 'kernel' ? '' : `[${e.project}] `}${e.subject}  <${e.rootMessageId}>`,
          );
      }
    });

  series
    .command('show <ref>')
    .description('a series version by id, version key or any Message-ID in it, with its other versions')
    .option('--json', 'print the assembled version as JSON')
    .action(async (ref: string, opts: { json?: boolean }) => {
      const store = await ctx.store();
      const rows = await findSeriesVersions(store.db, ref);
      if (rows.length === 0) throw new NotFoundError(`no series version for ${ref}`, { ref });
      for (const row of rows) {
        const v = JSON.parse(row.data) as SeriesVersion; // written by saveSeriesVersions
        if (opts.json) {
          ctx.out(JSON.stringify({ id: row.id, ...v }));
          continue;
        }
        const others = (await listSeriesVersions(store.db)).filter(
          (r) => r.series_key === row.series_key && r.id !== row.id,
        );
        ctx.out(`series version ${row.id}: ${v.subject}`);
        ctx.out(`  key:        ${v.key}`);
        ctx.out(`  author:     ${row.author}`);
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
        const withdrawn = await invalidMark(store.db, v.key);
        if (withdrawn)
          ctx.out(
            `  report:     invalid (withdrawn by ${withdrawn.markedBy} on ${withdrawn.markedAt.slice(0, 10)}; results are not mailed)`,
          );
        for (const m of await unrelatedMarks(store.db, row.series_key))
          ctx.out(`  unrelated:  ${m.title} (marked by ${m.markedBy} on ${m.markedAt.slice(0, 10)})`);
        for (const o of others)
          ctx.out(
            `  other version: ${o.id} v${o.revision} ${o.present}/${o.expected}${o.complete ? '' : ' incomplete'} <${o.root_message_id}>`,
          );
      }
    });

  series
    .command('am <message-id>')
    .description('write the am-ready mbox of the series this message belongs to (newest version, as b4 am)')
    .requiredOption('-o, --output <file>', 'where to write the mbox')
    .option('--version <n>', 'this revision instead of the newest one', (v) => Number(v))
    .action(async (messageId: string, opts: { output: string; version?: number }) => {
      const store = await ctx.store();
      const rows = await findSeriesVersions(store.db, messageId);
      if (rows.length === 0) throw new NotFoundError(`no series contains ${messageId}`, { messageId });
      // The message may belong to one version; its siblings across threads are candidates too.
      const all = (await listSeriesVersions(store.db)).filter((r) => rows.some((x) => x.series_key === r.series_key));
      const { exportAmMbox, pickVersion } = await import('../../ingest/am-export.ts');
      const chosen = pickVersion(all, opts.version);
      if (!chosen)
        throw new NotFoundError(`no ${opts.version ? `v${opts.version} ` : ''}version of the series of ${messageId}`, {
          messageId,
        });
      const mbox = await exportAmMbox(store, chosen.version_key);
      writeFileSync(opts.output, mbox);
      const v = JSON.parse(chosen.data) as SeriesVersion;
      // As b4: the patches that are there are written, and the holes are named (in the log, on stderr).
      const warning = incompleteWarning(v);
      if (warning) ctx.log.warn({ version: v.key, missing: v.missing }, warning);
      ctx.out(`wrote ${v.patches.length} patches of v${v.revision} "${v.subject}" to ${opts.output}`);
    });
}
