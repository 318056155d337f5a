import { describe, expect, it } from 'vitest';
import { runCycle, processQueue } from '../../../../bot/queue/cycle.ts';
import { estimateStarts } from '../../../../bot/queue/estimate.ts';
import { enqueueRerun } from '../../../../bot/queue/enqueue.ts';
import { claimJob, listJobs } from '../../../../bot/store/jobs.ts';
import { countReplies, versionReplies } from '../../../../bot/store/replies.ts';
import type { Runner } from '../../../../runners/types.ts';
import {
  FakeRunner,
  FakeSender,
  fakeDeps,
  runResult,
  storeWith,
  testConfig,
  version,
} from '../../../helpers/pipeline-fakes.ts';

describe('runCycle with a fake runner', () => {
  it('clean series: verdict pass, recorded, nothing mailed', async () => {
    const store = await storeWith([version('clean#v1', 2)]);
    const sender = new FakeSender();
    const runner = new FakeRunner({ badPatch: null, patches: 2 });
    const r = await runCycle(fakeDeps(store, runner, sender), { since: null });
    expect(r.jobs).toEqual([{ id: 1, exit: 'done' }]);
    const [job] = await listJobs(store.db);
    expect(job?.outcome).toBe('pass');
    expect(sender.sent).toHaveLength(0);
    const replies = await versionReplies(store.db, 'clean#v1');
    expect(replies.map((x) => x.state)).toEqual(['recorded']);
    // Series, base, then the build of patch 1 alone (every patch builds: schedule.buildEachPatch).
    expect(runner.calls).toHaveLength(3);
    expect(runner.calls[2]).toMatchObject({ patchLimit: 1, buildOnly: true });
    await store.close();
  });

  it('five patches, third bad: confirmed, bisected, one reply naming 3/5', async () => {
    const store = await storeWith([version('bad#v1', 5)]);
    const sender = new FakeSender();
    const runner = new FakeRunner({ badPatch: 3, patches: 5 });
    await runCycle(fakeDeps(store, runner, sender), { since: null });
    expect(sender.sent).toHaveLength(1);
    const raw = sender.sent[0]?.raw ?? '';
    expect(raw).toContain('first bad commit: [PATCH 3/5] patch number 3');
    expect(raw).toContain('BUG: kernel NULL pointer dereference');
    expect(raw).toContain('ext4_fill_super+0x31b/0x39d0');
    expect(raw).toContain('2/2 series runs crash, 0/2 base runs');
    const bisects = runner.calls.filter((c) => c.patchLimit !== undefined);
    expect(bisects.length).toBeLessThanOrEqual(4);
    // A second cycle changes nothing and mails nothing.
    await runCycle(fakeDeps(store, runner, sender), { since: null });
    expect(sender.sent).toHaveLength(1);
    expect(await countReplies(store.db)).toBe(1);
    await store.close();
  });

  it('the base is tested once and reused by the next series on the same base', async () => {
    const store = await storeWith([version('a#v1', 1), version('b#v1', 1)]);
    const runner = new FakeRunner({ badPatch: null, patches: 1 });
    await runCycle(fakeDeps(store, runner, new FakeSender()), { since: null });
    expect(runner.calls.filter((c) => !c.mbox)).toHaveLength(1);
    expect(runner.calls.filter((c) => c.mbox)).toHaveLength(2);
    await store.close();
  });

  it('a confirmed baseline is reused by the next regressing series: only the new series is confirmed', async () => {
    const store = await storeWith([version('a#v1', 5), version('b#v1', 5)]);
    const runner = new FakeRunner({ badPatch: 3, patches: 5 });
    const sender = new FakeSender();
    await runCycle(fakeDeps(store, runner, sender), { since: null });
    const kind = (c: (typeof runner.calls)[number]): string =>
      !c.mbox ? 'base' : c.patchLimit === undefined ? 'series' : c.buildOnly ? 'prefix' : 'bisect';
    const kinds = runner.calls.map(kind);
    // The first series confirms both sides; the second finds its base confirmed in the cache.
    // Each then builds the prefixes its bisection did not (1 and 4: every patch builds).
    const first = ['series', 'base', 'series', 'base', 'bisect', 'bisect', 'prefix', 'prefix'];
    expect(kinds).toEqual([...first, 'series', 'series', 'bisect', 'bisect', 'prefix', 'prefix']);
    expect(sender.sent.map((m) => m.raw.includes('2/2 series runs crash, 0/2 base runs'))).toEqual([true, true]);
    await store.close();
  });

  it('a failure also on the base is pre-existing: the author is not mailed', async () => {
    const store = await storeWith([version('pre#v1', 3)]);
    const sender = new FakeSender();
    await runCycle(fakeDeps(store, new FakeRunner({ baseCrashes: true, patches: 3 }), sender), { since: null });
    const [job] = await listJobs(store.db);
    expect(job?.outcome).toBe('pre-existing-only');
    expect(sender.sent).toHaveLength(0);
    await store.close();
  });

  it('mails a pre-existing failure as not the author’s when replyOnPass is set', async () => {
    const store = await storeWith([version('pre#v1', 3)]);
    const sender = new FakeSender();
    const config = testConfig({ mail: { replyOnPass: true } });
    await runCycle(fakeDeps(store, new FakeRunner({ baseCrashes: true, patches: 3 }), sender, { config }), {
      since: null,
    });
    expect(sender.sent[0]?.raw).toContain('not blamed on the');
    expect(sender.sent[0]?.raw).toMatch(/crash: BUG: kernel NULL pointer d\S* +crash +crash +pre-existing/);
    expect(sender.sent[0]?.raw).not.toContain('first bad commit');
    await store.close();
  });

  it('incomplete series waits; infra failures retry with backoff', async () => {
    const store = await storeWith([
      version('inc#v1', 3, { complete: false, lastDate: '2024-06-01T23:59:00.000Z' }),
      version('infra#v1', 1, { firstDate: '2024-06-01T11:00:00.000Z' }),
    ]);
    const runner = new FakeRunner({ infraFailures: 1, patches: 1 });
    const deps = fakeDeps(store, runner, new FakeSender());
    const r = await runCycle(deps, { since: null });
    expect(r.jobs.map((j) => j.exit).sort()).toEqual(['infra-retry', 'waiting']);
    const jobs = await listJobs(store.db);
    expect(jobs.map((j) => j.state).sort()).toEqual(['infra-failed', 'waiting']);
    // After the backoff the infra job completes.
    const later = fakeDeps(store, runner, new FakeSender(), { now: () => new Date('2024-06-02T00:05:00.000Z') });
    await processQueue(later);
    expect((await listJobs(store.db)).find((j) => j.versionKey === 'infra#v1')?.state).toBe('done');
    await store.close();
  });

  it('re-runs go first; a changed result gets a new reply saying so', async () => {
    const store = await storeWith([version('x#v1', 1)]);
    const sender = new FakeSender();
    await runCycle(fakeDeps(store, new FakeRunner({ badPatch: 1, patches: 1 }), sender), { since: null });
    expect(sender.sent).toHaveLength(1);
    const config = testConfig({ mail: { replyOnPass: true } });
    await enqueueRerun(store, config, 'x#v1', { requestedBy: 'cli' }, new Date('2024-06-02T00:00:00Z'));
    // The flaky crash is gone on the re-run; the base (cached) still passes.
    await processQueue(fakeDeps(store, new FakeRunner({ badPatch: null, patches: 1 }), sender, { config }));
    expect(sender.sent).toHaveLength(2);
    expect(sender.sent[1]?.raw).toContain(
      `Changed since the previous report (2024-06-02 00:00 UTC,\r\n<${sender.sent[0]?.messageId ?? ''}>): regression -> pass`,
    );
    await store.close();
  });

  it('a mailed regression that passes on re-run is mailed with replyOnPass off, in the patch thread', async () => {
    const store = await storeWith([version('y#v1', 1)]);
    const sender = new FakeSender();
    const config = testConfig();
    expect(config.mail.replyOnPass).toBe(false);
    await runCycle(fakeDeps(store, new FakeRunner({ badPatch: 1, patches: 1 }), sender, { config }), { since: null });
    expect(sender.sent).toHaveLength(1);
    await enqueueRerun(store, config, 'y#v1', { requestedBy: 'cli' }, new Date('2024-06-02T00:00:00Z'));
    await processQueue(fakeDeps(store, new FakeRunner({ badPatch: null, patches: 1 }), sender, { config }));
    expect(sender.sent).toHaveLength(2);
    const raw = sender.sent[1]?.raw.replace(/\r\n/g, '\n') ?? '';
    expect(raw).toContain('X-Daxbot-Result: pass');
    expect(raw).toContain('In-Reply-To: <y#v1-1@example.org>');
    expect(raw).toContain('References: <y#v1-0@example.org> <y#v1-1@example.org>');
    expect(raw).toContain(`(2024-06-02 00:00 UTC,\n<${sender.sent[0]?.messageId ?? ''}>): regression -> pass`);
    expect(raw).toContain('daxbot tested this series and found no new failures.');
    expect(raw).toContain('Sorry for the noise.');
    expect((await versionReplies(store.db, 'y#v1')).map((r) => [r.outcome, r.state])).toEqual([
      ['regression', 'sent'],
      ['pass', 'sent'],
    ]);
    // The same pass once more: nothing new to say.
    await enqueueRerun(store, config, 'y#v1', { requestedBy: 'cli' }, new Date('2024-06-02T00:00:00Z'));
    await processQueue(fakeDeps(store, new FakeRunner({ badPatch: null, patches: 1 }), sender, { config }));
    expect(sender.sent).toHaveLength(2);
    await store.close();
  });

  it('a silent pass followed by a regression on re-run: the complete reply, under the cover, saying it was not mailed', async () => {
    const store = await storeWith([version('z#v1', 3)]);
    const sender = new FakeSender();
    await runCycle(fakeDeps(store, new FakeRunner({ badPatch: null, patches: 3 }), sender), { since: null });
    expect(sender.sent).toHaveLength(0);
    await enqueueRerun(store, testConfig(), 'z#v1', { requestedBy: 'cli' }, new Date('2024-06-02T00:00:00Z'));
    await processQueue(fakeDeps(store, new FakeRunner({ badPatch: 2, patches: 3 }), sender));
    expect(sender.sent).toHaveLength(1);
    const raw = sender.sent[0]?.raw.replace(/\r\n/g, '\n') ?? '';
    expect(raw).toContain('In-Reply-To: <z#v1-0@example.org>\n');
    expect(raw).toContain('Subject: Re: [PATCH 0/3] series z#v1\n');
    expect(raw).toContain(
      'Changed since the previous report (2024-06-02 00:00 UTC, not mailed):\npass -> regression\n',
    );
    expect(raw.split('\n')).toContain('first bad commit: [PATCH 2/3] patch number 2');
    expect(raw).toContain('Call Trace:\n   ext4_fill_super+0x31b/0x39d0');
    expect(raw).toContain('Reproduce locally');
    expect(raw).toContain('Dashboard: http://localhost:8080/series/z%23v1\n');
    // The page of the re-run's own first series run (by its number), also the Closes: link.
    const [run] = await store.db
      .selectFrom('runs')
      .select('run_no as id')
      .where('job_id', '=', 2)
      .where('role', '=', 'series')
      .orderBy('id')
      .execute();
    expect(raw).toContain(`Run: http://localhost:8080/runs/${run?.id ?? 0}\n`);
    expect(raw).toContain(
      `| Reported-by: daxbot <daxbot@localhost>\n| Closes: http://localhost:8080/runs/${run?.id ?? 0}\n`,
    );
    await store.close();
  });

  it('claims by priority and a lease keeps a job from a second worker until it expires', async () => {
    const store = await storeWith([version('p#v1', 1), version('q#v1', 1)]);
    const config = testConfig();
    await enqueueRerun(store, config, 'q#v1', {}, new Date());
    await runCycle(fakeDeps(store, new FakeRunner({}), new FakeSender()), { since: null, skipIngest: true }).catch(
      () => undefined,
    );
    // All done now; make two fresh jobs and check claim order and leases directly.
    const s2 = await storeWith([version('p#v1', 1)]);
    await enqueueRerun(s2, config, 'p#v1', {}, new Date());
    const now = new Date('2024-06-02T00:00:00Z');
    const a = await claimJob(s2.db, 'w1', now, 60_000);
    expect(a?.trigger).toBe('rerun');
    expect(await claimJob(s2.db, 'w2', now, 60_000)).toBeNull();
    const late = await claimJob(s2.db, 'w2', new Date(now.getTime() + 61_000), 60_000);
    expect(late?.id).toBe(a?.id);
    await store.close();
    await s2.close();
  });
});

describe('no usable verdict', () => {
  it('when neither side builds, the job retries from scratch instead of reporting', async () => {
    const store = await storeWith([version('nb#v1', 2)]);
    const broken: Runner = {
      name: 'broken',
      description: 'nothing builds',
      run: async () =>
        runResult({
          build: { ok: false, configHash: 'c', buildDir: '/b', durationMs: 1, errors: [], warnings: [] },
          failureClass: 'patch',
        }),
    };
    const sender = new FakeSender();
    const r = await runCycle(fakeDeps(store, broken, sender), { since: null });
    expect(r.jobs).toEqual([{ id: 1, exit: 'infra-retry' }]);
    expect(await store.db.selectFrom('runs').selectAll().execute()).toHaveLength(0);
    expect(await store.db.selectFrom('baselines').selectAll().execute()).toHaveLength(0);
    expect(sender.sent).toHaveLength(0);
    await store.close();
  });
});

describe('estimateStarts', () => {
  it('spreads queued jobs over the free slots in order', () => {
    const now = new Date('2024-06-02T00:00:00Z');
    const m = estimateStarts([{ id: 3 }, { id: 4 }, { id: 5 }], [{ id: 1, startedAt: '2024-06-01T23:55:00Z' }], {
      now,
      concurrency: 2,
      jobMs: 600_000,
    });
    expect(m.get(3)?.toISOString()).toBe('2024-06-02T00:00:00.000Z');
    expect(m.get(4)?.toISOString()).toBe('2024-06-02T00:05:00.000Z');
    expect(m.get(5)?.toISOString()).toBe('2024-06-02T00:10:00.000Z');
  });
});
