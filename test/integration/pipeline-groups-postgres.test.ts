/**
 * Job groups on a real PostgreSQL server, where two workers' transactions really overlap (a
 * pool of connections, READ COMMITTED): siblings finishing at the same moment still make
 * exactly one reply per group, sent once. Runs are scripted (no kernels).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../bot/log.ts';
import { runCycle } from '../../bot/queue/cycle.ts';
import { finishGroup } from '../../bot/jobs/group-report.ts';
import { createScriptedRunner, runnerScriptSchema } from '../../bot/pipeline/scripted-runner.ts';
import { getJob, listJobs, updateJob } from '../../bot/store/jobs.ts';
import { countReplies } from '../../bot/store/replies.ts';
import { saveSeriesVersions } from '../../bot/store/series.ts';
import { openStore, type Store } from '../../bot/store/store.ts';
import type { Runner } from '../../runners/types.ts';
import { findPostgresBin, startPostgres, type PostgresServer } from '../helpers/servers/postgres.ts';
import { FakeSender, fakeDeps, testConfig, version } from '../helpers/pipeline-fakes.ts';

const GROUPS = 8;

/** Counts every send: unlike the outbox it is not idempotent, so a second send would show. */
class CountingSender extends FakeSender {
  calls: string[] = [];
  override async send(mail: { messageId: string; raw: string }): Promise<string> {
    this.calls.push(mail.messageId);
    return super.send(mail);
  }
}

describe.skipIf(!findPostgresBin())('job groups on a real PostgreSQL server', () => {
  let server: PostgresServer;
  let store: Store;
  beforeAll(async () => {
    server = await startPostgres();
    store = await openStore(server.url);
  }, 60_000);
  afterAll(async () => {
    await store?.close();
    await server?.stop();
  });

  it('one reply per group when two workers finish siblings together', async () => {
    await saveSeriesVersions(
      store.db,
      Array.from({ length: GROUPS }, (_, i) => version(`pg${i}#v1`, 2)),
      '2024-06-01T12:00:00.000Z',
    );
    const config = testConfig({
      runners: [
        { name: 'qemu-pmem', kind: 'qemu-pmem', suites: ['dax'] },
        { name: 'nfit-sim', kind: 'nfit-sim', suites: ['nfit-sim'] },
      ],
      schedule: { confirmRepeats: 0, incompleteWait: '1h', concurrency: 2 },
    });
    const runners = new Map<string, Runner>();
    const sender = new CountingSender();
    const deps = fakeDeps(store, createScriptedRunner('unused', runnerScriptSchema.parse({})), sender, {
      config,
      runnerFor: (rc) => {
        const r =
          runners.get(rc.name) ??
          createScriptedRunner(
            rc.name,
            runnerScriptSchema.parse({ badPatch: rc.name === 'qemu-pmem' ? 2 : null, delayMs: 5 }),
          );
        runners.set(rc.name, r);
        return r;
      },
      exportMbox: async () => Buffer.from('Subject: [PATCH 1/2] a\nSubject: [PATCH 2/2] b\n'),
    });
    await runCycle(deps, { since: null });
    const jobs = await listJobs(store.db);
    expect(jobs).toHaveLength(2 * GROUPS);
    expect(jobs.every((j) => j.state === 'done')).toBe(true);
    expect(sender.sent).toHaveLength(GROUPS);
    expect(sender.calls).toHaveLength(GROUPS);
    expect(await countReplies(store.db)).toBe(GROUPS);

    // Forget the replies and let both siblings of every group finish at once, several times.
    for (let round = 0; round < 3; round++) {
      await store.db.deleteFrom('replies').execute();
      sender.sent.length = 0;
      sender.calls.length = 0;
      for (const j of jobs) await updateJob(store.db, j.id, { state: 'reporting' }, '2024-06-02T00:00:00.000Z');
      const fresh = await Promise.all(jobs.map(async (j) => (await getJob(store.db, j.id)) ?? j));
      await Promise.all(fresh.map((j) => finishGroup(deps, j, silentLogger())));
      expect(await countReplies(store.db)).toBe(GROUPS);
      expect(sender.sent).toHaveLength(GROUPS);
      expect(sender.calls).toHaveLength(GROUPS);
      expect(new Set(sender.calls).size).toBe(GROUPS);
    }
  }, 120_000);
});
