/**
 * `daxbot rerun <message-id>`: queue a series again, ahead of new series, on every enabled
 * runner (one reply for them all) or on the one named with --runner.
 */
import type { Command } from 'commander';
import { NotFoundError, UsageError } from '../errors.ts';
import type { CliContext } from './context.ts';
import { nonNegativeInt } from './options.ts';
import { jsonLine } from './output.ts';

interface RerunOptions {
  suite?: string[];
  repeat?: number;
  runner?: string;
  base?: string;
  json?: boolean;
}

export function registerRerunCommand(program: Command, ctx: CliContext): void {
  program
    .command('rerun <message-id>')
    .description('test a series version again (any of its Message-IDs, its key or id), with priority')
    .option('--suite <suite...>', 'only these suites')
    .option('--repeat <n>', 'confirmation repeats for this run', nonNegativeInt)
    .option('--runner <name>', 'only this runner (default: every enabled runner)')
    .option('--base <rev>', "test on this base of the series' tree instead of its base-commit or branch")
    .option('--json', 'print {versionKey, jobs} as one JSON object')
    .action(async (ref: string, opts: RerunOptions) => {
      const config = await ctx.config();
      const store = await ctx.store();
      const { findSeriesVersions } = await import('../store/series.ts');
      const { enqueueRerunGroup } = await import('../queue/enqueue.ts');
      const found = await findSeriesVersions(store.db, ref);
      const v = found[found.length - 1];
      if (!v) throw new NotFoundError(`no series version for ${ref}`, { ref });
      // A rev is handed to git later: refuse anything that could read as an option.
      if (opts.base !== undefined && !/^[A-Za-z0-9][\w./^~-]*$/.test(opts.base))
        throw new UsageError(`--base ${opts.base} is not a commit, tag or branch name`, { base: opts.base });
      const options = {
        ...(opts.suite && { suites: opts.suite }),
        ...(opts.repeat !== undefined && { repeats: opts.repeat }),
        ...(opts.base !== undefined && { base: opts.base }),
        requestedBy: 'cli',
      };
      const ids = await enqueueRerunGroup(
        store,
        config,
        v.version_key,
        options,
        new Date(),
        opts.runner !== undefined ? { runner: opts.runner } : {},
      );
      if (opts.json) {
        ctx.out(jsonLine({ versionKey: v.version_key, jobs: ids }));
        return;
      }
      ctx.out(
        `queued job${ids.length === 1 ? '' : 's'} ${ids.map((id) => `#${id}`).join(', ')} for ${v.version_key} (priority re-run)`,
      );
    });
}
