/**
 * Output posts on a real PostgreSQL server, as a fleet shares it: the migration, the hook's
 * queries, and the claim that keeps two workers flushing at the same moment from posting the
 * same row twice.
 */
import { describe, expect, it } from 'vitest';
import { flushOutputs } from '../../bot/outputs/publish.ts';
import { OutputError, type Output, type OutputEvent } from '../../bot/outputs/types.ts';
import { runCycle } from '../../bot/queue/cycle.ts';
import { jobOutputPosts } from '../../bot/store/output-posts.ts';
import { saveSeriesVersions } from '../../bot/store/series.ts';
import { findPostgresBin, usePostgresStore } from '../helpers/servers/postgres.ts';
import { FakeRunner, FakeSender, fakeDeps, version } from '../helpers/pipeline-fakes.ts';

describe.skipIf(!findPostgresBin())('output posts on a real PostgreSQL server', () => {
  const pg = usePostgresStore();

  it('a failed post is retried once by two workers flushing together; the stale start is dropped', async () => {
    const store = pg.store;
    await saveSeriesVersions(store.db, [version('bad#v1', 3), version('ok#v1', 1)], '2024-06-01T12:00:00.000Z');
    let down = true;
    const seen: string[] = [];
    const output: Output = {
      name: 'pg',
      kind: 'fake',
      events: ['start', 'result'],
      timeoutMs: 5_000,
      async post(e: OutputEvent) {
        if (down) throw new OutputError('endpoint down', { permanent: false });
        // Slow enough that the second worker's flush runs while this one posts.
        await new Promise((r) => setTimeout(r, 100));
        seen.push(`${e.result.versionKey} ${e.event} ${e.result.outcome}`);
        return 'ok';
      },
    };
    const deps = fakeDeps(store, new FakeRunner({ badPatch: 2, patches: 3 }), new FakeSender(), { outputs: [output] });
    await runCycle(deps, { since: null });
    expect((await jobOutputPosts(store.db, 1)).map((p) => [p.event, p.state, p.attempts])).toEqual([
      ['start', 'pending', 1],
      ['result', 'pending', 0],
    ]);
    down = false;
    const later = { ...deps, now: () => new Date('2024-06-03T00:00:00.000Z') };
    await Promise.all([flushOutputs(later), flushOutputs(later)]);
    expect(seen.sort()).toEqual(['bad#v1 result regression', 'ok#v1 result pass']);
    for (const job of [1, 2])
      expect((await jobOutputPosts(store.db, job)).map((p) => [p.event, p.state])).toEqual([
        ['start', 'superseded'],
        ['result', 'sent'],
      ]);
  }, 60_000);
});
