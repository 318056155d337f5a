/**
 * A command's effect and its record are one transaction: a crash after the effect but before the
 * commit (here: the last write of the transaction fails, as a kill -9 there would leave it) leaves
 * nothing, and handling the mail again queues the re-run exactly once.
 */
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { DkimVerdict } from '../../../../bot/commands/authorize.ts';
import { processCommands } from '../../../../bot/commands/process.ts';
import { listCommands } from '../../../../bot/store/commands.ts';
import { listJobs } from '../../../../bot/store/jobs.ts';
import { storeMessage } from '../../../../bot/store/messages.ts';
import type { Store } from '../../../../bot/store/store.ts';
import { toIncoming } from '../../../../bot/intake/ingest.ts';
import { parseMessage } from '../../../../ingest/parse/message.ts';
import {
  FakeRunner,
  FakeSender,
  fakeDeps,
  fileStoreWith,
  testConfig,
  version,
} from '../../../helpers/pipeline-fakes.ts';

const dkimPass = async (): Promise<DkimVerdict> => ({
  pass: true,
  domains: ['example.org'],
  fromDomain: 'example.org',
  detail: 'pass (example.org)',
});

async function ingestCommand(store: Store, id: string, body: string): Promise<void> {
  const raw = Buffer.from(
    `From: Dan Maintainer <dan@example.org>\nTo: nvdimm@lists.linux.dev\nSubject: Re: [PATCH 0/3] series\nDate: Sun, 02 Jun 2024 12:00:00 +0000\nMessage-ID: <${id}>\nIn-Reply-To: <r#v1-0@example.org>\n\n${body}\n`,
  );
  await storeMessage(
    store.db,
    'test',
    await toIncoming({ raw, origin: 'test' }, { parse: (r) => parseMessage(r), followups: () => [] }),
    '2024-06-02T12:00:00.000Z',
  );
}

/** The transaction's last write (the answer's reply row) fails: everything before it ran. */
async function crashBeforeCommit(store: Store): Promise<void> {
  await sql`CREATE TRIGGER simulated_kill BEFORE INSERT ON replies BEGIN SELECT RAISE(ABORT, 'simulated kill before commit'); END`.execute(
    store.db,
  );
}

async function restart(store: Store): Promise<void> {
  await sql`DROP TRIGGER simulated_kill`.execute(store.db);
}

describe('command effects commit with their record', () => {
  it('a crash after the re-run was queued but before the commit queues it once on re-processing', async () => {
    const store = await fileStoreWith([version('r#v1', 3)]);
    await ingestCommand(
      store,
      'cmd-rerun@example.org',
      '#daxbot retest\n#daxbot unrelated BUG: kernel NULL pointer dereference\n',
    );
    const sender = new FakeSender();
    const deps = fakeDeps(store, new FakeRunner({}), sender, {
      config: testConfig({ mail: { maintainers: ['dan@example.org'] } }),
    });

    await crashBeforeCommit(store);
    await expect(processCommands(deps, { verifyDkim: dkimPass })).rejects.toThrow('simulated kill before commit');
    // Rolled back with the record: no job, no mark, no command, nothing to answer.
    expect(await listJobs(store.db)).toEqual([]);
    expect(await listCommands(store.db)).toEqual([]);
    expect(await store.db.selectFrom('command_marks').selectAll().execute()).toEqual([]);

    await restart(store);
    expect(await processCommands(deps, { verifyDkim: dkimPass })).toBe(2);
    expect(await processCommands(deps, { verifyDkim: dkimPass })).toBe(0);
    const jobs = await listJobs(store.db);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({
      versionKey: 'r#v1',
      trigger: 'command',
      options: { requestedBy: 'cmd-rerun@example.org/1' },
    });
    const cmds = await listCommands(store.db);
    expect(cmds.map((c) => [c.messageId, c.decision, c.jobId])).toEqual([
      ['cmd-rerun@example.org/1', 'accepted', jobs[0]?.id],
      ['cmd-rerun@example.org/2', 'accepted', null],
    ]);
    expect(await store.db.selectFrom('command_marks').select('command_id').execute()).toEqual([
      { command_id: 'cmd-rerun@example.org/2' },
    ]);
    // Each line answered once, naming the one job.
    expect(sender.sent).toHaveLength(2);
    expect(sender.sent.some((m) => m.raw.replace(/\s+/g, ' ').includes(`queued re-test job #${jobs[0]?.id}`))).toBe(
      true,
    );
    await store.close();
  });

  it('with every runner disabled a re-test is refused with the reason instead of failing each cycle', async () => {
    const store = await fileStoreWith([version('r#v1', 3)]);
    await ingestCommand(store, 'cmd-norunner@example.org', '#daxbot retest\n');
    const sender = new FakeSender();
    const config = testConfig({ runners: [{ name: 'fake', kind: 'qemu-pmem', suites: ['dax'], enabled: false }] });
    const deps = fakeDeps(store, new FakeRunner({}), sender, { config });
    expect(await processCommands(deps, { verifyDkim: dkimPass })).toBe(1);
    expect(await listJobs(store.db)).toEqual([]);
    expect((await listCommands(store.db))[0]).toMatchObject({ decision: 'refused' });
    expect((await listCommands(store.db))[0]?.reason).toContain('no enabled runner');
    await store.close();
  });
});
