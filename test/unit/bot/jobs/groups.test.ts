/**
 * A series dispatched to two runners (scripted: no kernels) gets two jobs in one group and one
 * reply with a row per runner; the reply survives races and restarts.
 */
import { describe, expect, it } from 'vitest';
import { runCycle, processQueue } from '../../../../bot/queue/cycle.ts';
import { enqueueRerun, enqueueRerunGroup } from '../../../../bot/queue/enqueue.ts';
import { flushPendingReplies } from '../../../../bot/report/deliver.ts';
import { finishGroup } from '../../../../bot/jobs/group-report.ts';
import {
  createScriptedRunner,
  runnerScriptSchema,
  type RunnerScript,
} from '../../../../bot/pipeline/scripted-runner.ts';
import { getJob, listJobs, updateJob } from '../../../../bot/store/jobs.ts';
import { addInvalidMark } from '../../../../bot/store/marks.ts';
import { countReplies, versionReplies } from '../../../../bot/store/replies.ts';
import { silentLogger } from '../../../../bot/log.ts';
import type { PipelineDeps } from '../../../../bot/deps.ts';
import type { Store } from '../../../../bot/store/store.ts';
import type { RunnerConfig } from '../../../../config/schema.ts';
import type { Runner } from '../../../../runners/types.ts';
import { FakeSender, fakeDeps, runResult, storeWith, testConfig, version } from '../../../helpers/pipeline-fakes.ts';

const twoRunners = (mail: Record<string, unknown> = {}, schedule: Record<string, unknown> = {}) =>
  testConfig({
    runners: [
      { name: 'qemu-pmem', kind: 'qemu-pmem', suites: ['dax'] },
      { name: 'nfit-sim', kind: 'nfit-sim', suites: ['nfit-sim'] },
    ],
    mail,
    schedule: { confirmRepeats: 1, incompleteWait: '1h', ...schedule },
  });

function scripted(scripts: Record<string, Partial<RunnerScript> | Runner>): (rc: RunnerConfig) => Runner {
  const made = new Map<string, Runner>();
  return (rc) => {
    const have = made.get(rc.name);
    if (have) return have;
    const s = scripts[rc.name] ?? {};
    const r = 'run' in s ? s : createScriptedRunner(rc.name, runnerScriptSchema.parse(s));
    made.set(rc.name, r);
    return r;
  };
}

function deps(
  store: Store,
  sender: FakeSender,
  runners: Record<string, Partial<RunnerScript> | Runner>,
  over: Partial<PipelineDeps> = {},
): PipelineDeps {
  // The scripted runner counts "Subject: [PATCH" lines of the mbox.
  const exportMbox = async (key: string): Promise<Buffer> => {
    const v = await store.db
      .selectFrom('series_versions')
      .select('present')
      .where('version_key', '=', key)
      .executeTakeFirst();
    const n = v?.present ?? 0;
    return Buffer.from(
      Array.from({ length: n }, (_, i) => `Subject: [PATCH ${i + 1}/${n}] patch number ${i + 1}\n`).join(''),
    );
  };
  return fakeDeps(store, { name: 'unused', description: '', run: () => Promise.reject(new Error('unused')) }, sender, {
    config: twoRunners(),
    runnerFor: scripted(runners),
    exportMbox,
    ...over,
  });
}

/** The runner table's rows: the lines after its header up to the blank line. */
function tableRows(raw: string): string[] {
  const lines = raw.replace(/\r\n/g, '\n').split('\n');
  const head = lines.findIndex((l) => /^ {2}runner +outcome +summary$/.test(l));
  if (head < 0) return [];
  const rows: string[] = [];
  for (const l of lines.slice(head + 1)) {
    if (l === '') break;
    if (!/^ {3}/.test(l)) rows.push(l);
  }
  return rows;
}

/** Counts every send: unlike the outbox it is not idempotent, so a second send would show. */
class CountingSender extends FakeSender {
  calls = 0;
  override async send(mail: { messageId: string; raw: string }): Promise<string> {
    this.calls++;
    return super.send(mail);
  }
}

const infraRunner: Runner = {
  name: 'nfit-sim',
  description: 'always broken',
  run: async () => runResult({ failureClass: 'infra', summary: 'qemu died' }),
};

describe('one series, two runners', () => {
  it('dispatches one job per runner in one group, and mails one reply with a row per runner', async () => {
    const store = await storeWith([version('two#v1', 3)]);
    const sender = new FakeSender();
    const d = deps(store, sender, { 'qemu-pmem': { badPatch: 2 }, 'nfit-sim': {} });
    const r = await runCycle(d, { since: null });
    expect(r.enqueued).toBe(2);
    const jobs = await listJobs(store.db);
    expect(jobs.map((j) => j.runner).sort()).toEqual(['nfit-sim', 'qemu-pmem']);
    expect(new Set(jobs.map((j) => j.groupId)).size).toBe(1);
    expect(jobs.map((j) => j.state)).toEqual(['done', 'done']);
    expect(jobs.find((j) => j.runner === 'qemu-pmem')?.outcome).toBe('regression');
    expect(jobs.find((j) => j.runner === 'nfit-sim')?.outcome).toBe('pass');

    expect(sender.sent).toHaveLength(1);
    expect(await countReplies(store.db)).toBe(1);
    const raw = sender.sent[0]?.raw ?? '';
    const rows = tableRows(raw);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/^ {2}qemu-pmem +regression +crash: BUG: kernel NULL pointer/);
    expect(rows[1]).toMatch(/^ {2}nfit-sim +pass +1 passed, no new failures$/);
    expect(raw).toContain('X-Daxbot-Result: regression');
    expect(raw).toContain('first bad commit: [PATCH 2/3] patch number 2');
    expect(raw).toContain('=== qemu-pmem: regression ===');
    expect(raw).toContain('=== nfit-sim: pass ===');
    for (const line of raw.split(/\r?\n/)) {
      if (
        line.startsWith('first bad commit: ') ||
        /^(References|In-Reply-To|Message-ID|To|Cc|Subject|From):/i.test(line)
      )
        continue;
      expect(line.length, line).toBeLessThanOrEqual(75);
    }
    // A second cycle mails nothing more.
    await runCycle(d, { since: null });
    expect(sender.sent).toHaveLength(1);
    await store.close();
  });

  it('passes on both runners: one recorded reply, mailed only with replyOnPass', async () => {
    const quiet = await storeWith([version('ok#v1', 2)]);
    const s1 = new FakeSender();
    await runCycle(deps(quiet, s1, {}), { since: null });
    expect(s1.sent).toHaveLength(0);
    expect((await versionReplies(quiet.db, 'ok#v1')).map((r) => [r.state, r.outcome, r.groupId])).toEqual([
      ['recorded', 'pass', 1],
    ]);
    await quiet.close();

    const loud = await storeWith([version('ok#v1', 2)]);
    const s2 = new FakeSender();
    await runCycle(deps(loud, s2, {}, { config: twoRunners({ replyOnPass: true }) }), { since: null });
    expect(s2.sent).toHaveLength(1);
    expect(tableRows(s2.sent[0]?.raw ?? '')).toHaveLength(2);
    expect(s2.sent[0]?.raw).toContain('on 2 runners and found no new failures');
    await loud.close();
  });

  it('a runner that gives up is shown as infrastructure, not blamed, and the other runner still reports', async () => {
    const store = await storeWith([version('inf#v1', 2)]);
    const sender = new FakeSender();
    await runCycle(deps(store, sender, { 'qemu-pmem': { badPatch: 1 }, 'nfit-sim': infraRunner }, { maxAttempts: 1 }), {
      since: null,
    });
    expect(sender.sent).toHaveLength(1);
    const raw = sender.sent[0]?.raw ?? '';
    const rows = tableRows(raw);
    expect(rows[1]).toMatch(/^ {2}nfit-sim +infrastructure +not tested: gave up after 1/);
    expect(raw).toContain('X-Daxbot-Result: regression');
    expect(raw).toContain("nfit-sim could not finish because of a problem on daxbot's side");
    expect((await listJobs(store.db)).map((j) => [j.runner, j.state, j.outcome])).toEqual([
      ['qemu-pmem', 'done', 'regression'],
      ['nfit-sim', 'done', 'infra'],
    ]);
    await store.close();
  });

  it('a withdrawn report (#daxbot invalid) is recorded for the group, never mailed', async () => {
    const store = await storeWith([version('wd#v1', 1)]);
    await addInvalidMark(
      store.db,
      { seriesKey: 'wd', versionKey: 'wd#v1', markedBy: 'maintainer@example.org', commandId: 'cmd/1' },
      '2024-06-01T12:00:00.000Z',
    );
    const sender = new FakeSender();
    await runCycle(deps(store, sender, { 'qemu-pmem': { badPatch: 1 } }), { since: null });
    expect(sender.sent).toHaveLength(0);
    expect((await versionReplies(store.db, 'wd#v1')).map((r) => [r.state, r.outcome, r.mailed])).toEqual([
      ['recorded', 'regression', false],
    ]);
    await store.close();
  });

  it('only infrastructure failures on one runner and a pass on the other: not mailed without replyOnPass', async () => {
    const store = await storeWith([version('inf2#v1', 1)]);
    const sender = new FakeSender();
    await runCycle(deps(store, sender, { 'nfit-sim': infraRunner }, { maxAttempts: 1 }), { since: null });
    expect(sender.sent).toHaveLength(0);
    expect((await versionReplies(store.db, 'inf2#v1')).map((r) => r.state)).toEqual(['recorded']);
    await store.close();
  });

  it('two workers finishing siblings together: exactly one reply is composed and sent', async () => {
    const store = await storeWith([version('race#v1', 1)]);
    const sender = new CountingSender();
    const d = deps(
      store,
      sender,
      { 'qemu-pmem': { badPatch: 1, delayMs: 20 }, 'nfit-sim': { delayMs: 20 } },
      { config: twoRunners({}, { concurrency: 2, confirmRepeats: 0 }) },
    );
    await runCycle(d, { since: null });
    expect(sender.sent).toHaveLength(1);
    expect(await countReplies(store.db)).toBe(1);
    // Both jobs asking to finish the group at once after the fact: still one reply, one send.
    const jobs = await listJobs(store.db);
    for (const j of jobs) await updateJob(store.db, j.id, { state: 'reporting' }, '2024-06-02T00:00:00.000Z');
    const fresh = await Promise.all(jobs.map(async (j) => (await getJob(store.db, j.id)) ?? j));
    await Promise.all(fresh.map((j) => finishGroup(d, j, silentLogger())));
    expect(sender.calls).toBe(1);
    expect(await countReplies(store.db)).toBe(1);
    await store.close();
  });

  it('composers racing before either reply row exists: the group key lets one insert win', async () => {
    const store = await storeWith([version('race2#v1', 1)]);
    const sender = new CountingSender();
    const d = deps(store, sender, { 'qemu-pmem': { badPatch: 1 } }, { config: twoRunners({}, { confirmRepeats: 0 }) });
    // Run both jobs to their verdicts, then forget the reply so both siblings find none.
    await runCycle(d, { since: null });
    expect(sender.sent).toHaveLength(1);
    await store.db.deleteFrom('replies').execute();
    sender.sent.length = 0;
    sender.calls = 0;
    const jobs = await listJobs(store.db);
    for (const j of jobs) await updateJob(store.db, j.id, { state: 'reporting' }, '2024-06-02T00:00:00.000Z');
    const fresh = await Promise.all(jobs.map(async (j) => (await getJob(store.db, j.id)) ?? j));
    await Promise.all(fresh.map((j) => finishGroup(d, j, silentLogger())));
    expect(await countReplies(store.db)).toBe(1);
    expect(sender.calls).toBe(1);
    await store.close();
  });

  it('a send that fails (as a kill between insert and send) is recorded on the reply, retried once after its backoff, never duplicated', async () => {
    const store = await storeWith([version('k#v1', 1)]);
    const sent: string[] = [];
    let fail = true;
    const flaky = {
      send: async (m: { messageId: string }) => {
        if (fail) {
          fail = false;
          throw new Error('connection reset');
        }
        sent.push(m.messageId);
        return `ok:${m.messageId}`;
      },
    };
    const sender = new FakeSender();
    const d = deps(
      store,
      sender,
      { 'qemu-pmem': { badPatch: 1 } },
      { config: twoRunners({}, { confirmRepeats: 0 }), sender: flaky },
    );
    // The failure is the reply's: the cycle goes on and the jobs are done with their verdicts.
    await runCycle(d, { since: null });
    const [reply] = await versionReplies(store.db, 'k#v1');
    expect(reply).toMatchObject({ state: 'pending', attempts: 1, lastError: 'connection reset' });
    expect((await listJobs(store.db)).map((j) => j.state)).toEqual(['done', 'done']);
    // Not before its backoff has passed; then the same row (same Message-ID) is only sent.
    expect((await flushPendingReplies(d)).sent).toBe(0);
    const later = { ...d, now: () => new Date(Date.parse(reply?.nextAttemptAt ?? '')) };
    expect(await flushPendingReplies(later)).toEqual({ sent: 1, deferred: 0, failed: 0 });
    await runCycle(later, { since: null });
    expect(sent).toEqual([reply?.messageId]);
    expect(await countReplies(store.db)).toBe(1);
    expect((await listJobs(store.db)).map((j) => j.state)).toEqual(['done', 'done']);
    await store.close();
  });

  it('a re-run goes to both runners, or to the named one alone (then as a single-runner reply)', async () => {
    const store = await storeWith([version('re#v1', 1)]);
    const sender = new FakeSender();
    const config = twoRunners({}, { confirmRepeats: 0 });
    const d = deps(store, sender, { 'qemu-pmem': { badPatch: 1 } }, { config });
    await runCycle(d, { since: null });
    expect(sender.sent).toHaveLength(1);
    const ids = await enqueueRerunGroup(
      store,
      config,
      're#v1',
      { requestedBy: 'cli' },
      new Date('2024-06-02T00:00:00Z'),
    );
    expect(ids).toHaveLength(2);
    await processQueue(d);
    // The same combined result: no second reply.
    expect(sender.sent).toHaveLength(1);
    const one = await enqueueRerun(store, config, 're#v1', {}, new Date('2024-06-02T00:00:00Z'), 'rerun', 'qemu-pmem');
    await processQueue(d);
    expect((await getJob(store.db, one))?.groupId).toBe(one);
    // A single-runner result differs from the group's: it is mailed, in the single-runner form.
    expect(sender.sent).toHaveLength(2);
    expect(tableRows(sender.sent[1]?.raw ?? '')).toEqual([]);
    expect(sender.sent[1]?.raw).toContain('Changed since the previous report');
    await expect(enqueueRerun(store, config, 're#v1', {}, new Date(), 'rerun', 'nope')).rejects.toThrow(
      'runner nope is not configured',
    );
    await store.close();
  });
});
