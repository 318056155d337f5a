/** `/` (the queue and the recently tested series), `/stats`, `/help`, and their JSON twins. */
import type { Hono } from 'hono';
import { answer, type DashboardState, type DashContext, type DashEnv } from './context.ts';
import { renderHelpPage } from './page-misc.ts';
import { renderQueuePage } from './page-queue.ts';
import { loadQueueView } from './queue-data.ts';
import { renderStatsPage } from './page-stats.ts';
import { loadStatsView, parseStatsQuery } from './stats-data.ts';

const HELP = {
  commands: [
    '#daxbot retest',
    '#daxbot test [suite ...] [base <commit>] [repeat N]',
    '#daxbot unrelated <crash title>',
    '#daxbot invalid',
  ],
};

export function registerMiscRoutes(app: Hono<DashEnv>, s: DashboardState): void {
  const queue = async (c: DashContext, json: boolean): Promise<Response> => {
    const now = s.deps.now();
    const view = await loadQueueView(s.deps.store.db, { now, concurrency: s.deps.config.schedule.concurrency });
    return answer(s, c, view, (ctx) => renderQueuePage(view, ctx), json || c.get('json'));
  };
  app.get('/', (c) => queue(c, false));
  app.get('/index.html', (c) => queue(c, false));
  app.get('/index.json', (c) => queue(c, true));
  const stats = async (c: DashContext, json: boolean): Promise<Response> => {
    const { weeks } = parseStatsQuery(c.req.query());
    const view = await loadStatsView(s.deps.store.db, weeks, s.deps.now());
    return answer(s, c, view, (ctx) => renderStatsPage(view, ctx), json || c.get('json'));
  };
  app.get('/stats', (c) => stats(c, false));
  app.get('/stats.json', (c) => stats(c, true));
  app.get('/help', (c) => answer(s, c, HELP, (ctx) => renderHelpPage(ctx)));
  app.get('/help.json', (c) => answer(s, c, HELP, (ctx) => renderHelpPage(ctx), true));
}
