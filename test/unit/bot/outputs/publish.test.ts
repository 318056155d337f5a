/**
 * The outputs hook with a fake output: the start and the result of each job are posted once; a
 * failing or hanging output never fails or holds up a job, and its posts are retried after their
 * backoff; a start that was not posted before the result is never posted after it.
 */
import type { Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { flushOutputs } from '../../../../bot/outputs/publish.ts';
import { up007 } from '../../../../bot/store/migrations/007-output-posts.ts';
import { OutputError, type Output, type OutputEvent, type PostContext } from '../../../../bot/outputs/types.ts';
import { runCycle } from '../../../../bot/queue/cycle.ts';
import { listJobs } from '../../../../bot/store/jobs.ts';
import { jobOutputPosts } from '../../../../bot/store/output-posts.ts';
import { versionReplies } from '../../../../bot/store/replies.ts';
import { FakeRunner, FakeSender, fakeDeps, storeWith, testConfig, version } from '../../../helpers/pipeline-fakes.ts';

class FakeOutput implements Output {
  readonly kind = 'fake';
  readonly events = ['start', 'result'] as const;
  seen: { event: string; job: number; outcome: string | null; run: string | null }[] = [];
  constructor(
    readonly name = 'fake',
    public failures = 0,
    readonly timeoutMs = 5_000,
    private readonly failure: 'transient' | 'permanent' | 'hang' = 'transient',
  ) {}
  async post(e: OutputEvent, ctx: PostContext): Promise<string> {
    if (this.failures > 0) {
      this.failures--;
      if (this.failure === 'hang')
        await new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)));
      throw new OutputError('the other side is down', { permanent: this.failure === 'permanent' });
    }
    this.seen.push({ event: e.event, job: e.result.jobId, outcome: e.result.outcome, run: e.result.links.run });
    return `${e.event} posted`;
  }
}

const at = (iso: string) => () => new Date(iso);

describe('outputs hook', () => {
  it('posts each job’s start, then its result with the run page, once', async () => {
    const store = await storeWith([version('clean#v1', 2)]);
    const out = new FakeOutput();
    const deps = fakeDeps(store, new FakeRunner({ patches: 2 }), new FakeSender(), { outputs: [out] });
    await runCycle(deps, { since: null });
    expect(out.seen).toEqual([
      { event: 'start', job: 1, outcome: null, run: null },
      { event: 'result', job: 1, outcome: 'pass', run: expect.stringMatching(/^http:\/\/localhost:8080\/runs\/\d+$/) },
    ]);
    const posts = await jobOutputPosts(store.db, 1);
    expect(posts.map((p) => [p.event, p.state, p.detail])).toEqual([
      ['start', 'sent', 'start posted'],
      ['result', 'sent', 'result posted'],
    ]);
    await runCycle(deps, { since: null });
    await flushOutputs(deps);
    expect(out.seen).toHaveLength(2);
    // The migration is idempotent: run again over its table, it keeps the rows.
    // Migrations see the database untyped, as the Migrator hands it to them.
    await up007(store.dialect)(store.db as unknown as Kysely<unknown>);
    expect(await jobOutputPosts(store.db, 1)).toHaveLength(2);
    await store.close();
  });

  it('a failing output fails no job; its posts wait for their backoff, and the start is dropped', async () => {
    const store = await storeWith([version('bad#v1', 3)]);
    const out = new FakeOutput('fake', 100);
    const sender = new FakeSender();
    const deps = fakeDeps(store, new FakeRunner({ badPatch: 2, patches: 3 }), sender, { outputs: [out] });
    await runCycle(deps, { since: null });
    const [job] = await listJobs(store.db);
    expect([job?.state, job?.outcome]).toEqual(['done', 'regression']);
    expect(sender.sent).toHaveLength(1);
    // The start failed once; the result was not tried while the output backs off.
    let posts = await jobOutputPosts(store.db, 1);
    expect(posts.map((p) => [p.event, p.state, p.attempts])).toEqual([
      ['start', 'pending', 1],
      ['result', 'pending', 0],
    ]);
    expect(posts[0]?.lastError).toContain('the other side is down');
    expect(posts[0]?.nextAttemptAt).toBe('2024-06-02T00:01:00.000Z');
    // Not due yet: nothing is tried.
    await flushOutputs({ ...deps, now: at('2024-06-02T00:00:30.000Z') });
    expect((await jobOutputPosts(store.db, 1))[0]?.attempts).toBe(1);
    // Due and the output is back: the result is posted, the start (now stale) never is.
    out.failures = 0;
    await flushOutputs({ ...deps, now: at('2024-06-02T00:02:00.000Z') });
    posts = await jobOutputPosts(store.db, 1);
    expect(posts.map((p) => [p.event, p.state])).toEqual([
      ['start', 'superseded'],
      ['result', 'sent'],
    ]);
    expect(out.seen.map((s) => [s.event, s.outcome])).toEqual([['result', 'regression']]);
    await store.close();
  });

  it('a refusal is tried three times, then given up', async () => {
    const store = await storeWith([version('clean#v1', 1)]);
    const out = new FakeOutput('fake', 100, 5_000, 'permanent');
    const deps = fakeDeps(store, new FakeRunner({ patches: 1 }), new FakeSender(), { outputs: [out] });
    await runCycle(deps, { since: null });
    for (const t of ['2024-06-02T01:00:00.000Z', '2024-06-02T02:00:00.000Z', '2024-06-02T03:00:00.000Z'])
      await flushOutputs({ ...deps, now: at(t) });
    const result = (await jobOutputPosts(store.db, 1)).find((p) => p.event === 'result');
    expect([result?.state, result?.attempts]).toEqual(['failed', 3]);
    await store.close();
  });

  it('a hanging output is cut off at its timeout; the job is done regardless', async () => {
    const store = await storeWith([version('clean#v1', 1)]);
    const out = new FakeOutput('fake', 2, 50, 'hang');
    const deps = fakeDeps(store, new FakeRunner({ patches: 1 }), new FakeSender(), { outputs: [out] });
    const t0 = Date.now();
    await runCycle(deps, { since: null });
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect((await listJobs(store.db))[0]?.state).toBe('done');
    expect((await versionReplies(store.db, 'clean#v1')).map((r) => r.state)).toEqual(['recorded']);
    const posts = await jobOutputPosts(store.db, 1);
    expect(posts[0]).toMatchObject({ event: 'start', state: 'pending', attempts: 1 });
    expect(posts[0]?.lastError).toMatch(/abort|timeout/i);
    await store.close();
  });

  it('each runner of a group is its own post; an output dropped from the config keeps its rows', async () => {
    const store = await storeWith([version('two#v1', 1)]);
    const config = testConfig({
      runners: [
        { name: 'a', kind: 'qemu-pmem' },
        { name: 'b', kind: 'nfit-sim' },
      ],
    });
    const out = new FakeOutput();
    const deps = fakeDeps(store, new FakeRunner({ patches: 1 }), new FakeSender(), { config, outputs: [out] });
    await runCycle(deps, { since: null });
    expect(out.seen.filter((s) => s.event === 'result').map((s) => s.job)).toEqual([1, 2]);
    expect((await jobOutputPosts(store.db, 2)).map((p) => [p.output, p.event, p.state])).toEqual([
      ['fake', 'start', 'sent'],
      ['fake', 'result', 'sent'],
    ]);
    // Failing posts of an output that is then dropped from the config stay as they were.
    const store2 = await storeWith([version('clean#v1', 1)]);
    const down = new FakeOutput('down', 100);
    const deps2 = fakeDeps(store2, new FakeRunner({ patches: 1 }), new FakeSender(), { outputs: [down] });
    await runCycle(deps2, { since: null });
    const before = await jobOutputPosts(store2.db, 1);
    await flushOutputs({ ...deps2, outputs: [new FakeOutput('other')], now: at('2024-06-03T00:00:00.000Z') });
    expect(await jobOutputPosts(store2.db, 1)).toEqual(before);
    await store2.close();
    await store.close();
  });
});
