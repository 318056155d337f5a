/** `daxbot rerun <message-id>`: queue a series again, ahead of new series. */
import type { Command } from 'commander';
import { enqueueRerun } from '../pipeline/enqueue.ts';
import { findSeriesVersions } from '../store/series.ts';
import { NotFoundError } from '../errors.ts';
import type { CliContext } from './context.ts';

export function registerRerunCommand(program: Command, ctx: CliContext): void {
  program
    .command('rerun <message-id>')
    .description('test a series version again (any of its Message-IDs, its key or id), with priority')
    .option('--suite <suite...>', 'only these suites')
    .option('--repeat <n>', 'confirmation repeats for this run', (v) => Number.parseInt(v, 10))
    .action(async (ref: string, opts: { suite?: string[]; repeat?: number }) => {
      const config = ctx.config();
      const store = await ctx.store();
      const found = await findSeriesVersions(store.db, ref);
      const v = found[found.length - 1];
      if (!v) throw new NotFoundError(`no series version for ${ref}`, { ref });
      const id = await enqueueRerun(store, config, v.version_key, { ...(opts.suite && { suites: opts.suite }), ...(opts.repeat !== undefined && Number.isFinite(opts.repeat) && { repeats: opts.repeat }), requestedBy: 'cli' }, new Date());
      ctx.out(`queued job #${id} for ${v.version_key} (priority re-run)`);
    });
}
