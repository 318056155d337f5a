/**
 * The dashboard's read models on a real PostgreSQL server (the fleet's store): the series list's
 * search, outcome filter, sort by test time and count, a Message-ID reference, the version
 * history and the statistics run there as on SQLite.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadVersionHistory } from '../../bot/dashboard/history-data.ts';
import { loadSeriesListView, parseSeriesQuery } from '../../bot/dashboard/series-list-data.ts';
import { loadStatsView } from '../../bot/dashboard/stats-data.ts';
import { updateJob } from '../../bot/store/jobs.ts';
import { insertJobGroup } from '../../bot/store/job-groups.ts';
import { resolveVersionRef } from '../../bot/store/read/series.ts';
import { recordRun } from '../../bot/store/runs.ts';
import { saveSeriesVersions } from '../../bot/store/series.ts';
import { openStore, type Store } from '../../bot/store/store.ts';
import { runResult, version } from '../helpers/pipeline-fakes.ts';
import { findPostgresBin, startPostgres, type PostgresServer } from '../helpers/servers/postgres.ts';

const now = new Date('2024-07-01T00:00:00.000Z');
let server: PostgresServer | undefined;
let store: Store | undefined;

describe.skipIf(!findPostgresBin())('dashboard read models on PostgreSQL', () => {
  beforeAll(async () => {
    server = await startPostgres();
    store = await openStore(server.url);
    const v1 = version('fix#v1', 2, { subject: 'dax: fix 100% of_it', seriesKey: 'fix' });
    const v2 = version('fix#v2', 2, { subject: 'dax: fix 100% of_it', seriesKey: 'fix', revision: 2 });
    await saveSeriesVersions(store.db, [v1, v2, version('other#v1', 1)], now.toISOString());
    for (const [key, outcome] of [
      ['fix#v1', 'regression'],
      ['fix#v2', 'pass'],
    ] as const) {
      const [id] = await insertJobGroup(
        store.db,
        [{ versionKey: key, trigger: 'new', priority: 0, runner: 'q' }],
        now.toISOString(),
      );
      const run = { step: 'series:0', role: 'series', patchLimit: null, durationMs: 5 };
      await recordRun(
        store.db,
        id ?? 0,
        { ...run, result: runResult({ timings: { buildMs: 10 } }) },
        now.toISOString(),
      );
      await updateJob(store.db, id ?? 0, { state: 'done', outcome, finishedAt: now.toISOString() }, now.toISOString());
    }
  }, 120_000);
  afterAll(async () => {
    await store?.close();
    await server?.stop();
  });

  it('searches, filters, sorts and resolves as on SQLite', async () => {
    const db = store?.db;
    if (!db) throw new Error('no store');
    const found = await loadSeriesListView(db, parseSeriesQuery({ q: '100% of_it', sort: 'tested' }), now);
    expect(found.items.map((i) => i.versionKey).sort()).toEqual(['fix#v1', 'fix#v2']);
    const pass = await loadSeriesListView(db, parseSeriesQuery({ outcome: 'pass' }), now);
    expect(pass.total).toBe(1);
    const untested = await loadSeriesListView(db, parseSeriesQuery({ outcome: 'untested', runner: 'q' }), now);
    expect(untested.total).toBe(0);
    const byId = await loadSeriesListView(db, parseSeriesQuery({ q: '<fix#v2-1@example.org>' }), now);
    expect(byId.items.map((i) => i.versionKey)).toEqual(['fix#v2']);
    expect(await resolveVersionRef(db, 'fix#v1-2@example.org')).toBe('fix#v1');
    const history = await loadVersionHistory(db, 'fix', now);
    expect(history.at(-1)?.change?.note).toBe("v2 fixes v1's regression");
    const stats = await loadStatsView(db, 4, now);
    expect(stats.outcomes.categories).toEqual(['regression', 'pass']);
    expect(stats.timings[0]?.buildMs.some((v) => v === 10)).toBe(true);
  });
});
