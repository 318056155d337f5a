/**
 * `daxbot dashboard [--listen host:port]`: serves the maintainer dashboard until stopped.
 * `serveDashboard` is shared with `daxbot run`, which serves it beside the scheduler when the
 * configuration has a `dashboard` section.
 */
import type { Command } from 'commander';
import type { Logger } from 'pino';
import type { Config, DashboardConfig } from '../../config/schema.ts';
import type { RunningDashboard } from '../dashboard/server.ts';
import type { Store } from '../store/store.ts';
import type { CliContext } from './context.ts';
import { jsonLine } from './output.ts';

export interface ServeOptions {
  config: Config;
  store: Store;
  log: Logger;
  env: NodeJS.ProcessEnv;
  /** Overrides dashboard.listen. */
  listen?: string;
}

export async function serveDashboard(o: ServeOptions): Promise<RunningDashboard> {
  const { dashboardSchema } = await import('../../config/schema.ts');
  const { parseListen, startDashboard } = await import('../dashboard/server.ts');
  const dc: DashboardConfig = o.config.dashboard ?? dashboardSchema.parse({});
  const listen = parseListen(o.listen ?? dc.listen);
  // A getter, not a copied string: the secret stays out of objects that get logged or dumped.
  const secret = (): string | undefined => o.env[dc.tokenEnv] || undefined;
  if (!secret())
    o.log.warn({ env: dc.tokenEnv }, `dashboard: ${dc.tokenEnv} is not set; re-runs from the dashboard are refused`);
  const running = await startDashboard(
    { store: o.store, config: o.config, log: o.log, now: () => new Date(), secret, secretEnv: dc.tokenEnv },
    listen,
  );
  o.log.info({ url: running.url }, 'dashboard listening');
  return running;
}

export function registerDashboardCommand(program: Command, ctx: CliContext): void {
  program
    .command('dashboard')
    .description('serve the maintainer dashboard (queue, series, verdicts, re-runs) until stopped')
    .option('--listen <host:port>', 'address to listen on (default: dashboard.listen, 127.0.0.1:8080)')
    .option('--json', 'print {url} as one JSON object once listening')
    .action(async (opts: { listen?: string; json?: boolean }) => {
      const config = await ctx.config();
      const store = await ctx.store();
      const running = await serveDashboard({
        config,
        store,
        log: ctx.log,
        env: ctx.env,
        ...(opts.listen !== undefined && { listen: opts.listen }),
      });
      ctx.out(opts.json ? jsonLine({ url: running.url }) : `dashboard on ${running.url}`);
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await running.close();
    });
}
