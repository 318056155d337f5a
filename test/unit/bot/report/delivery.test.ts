/**
 * A reply the mail server refuses is that reply's problem: the cycle goes on, other replies and
 * new series are still handled, the failure is recorded on the reply and retried with backoff,
 * and a permanent refusal ends in 'failed' instead of being retried forever.
 */
import { describe, expect, it } from 'vitest';
import { runCycle } from '../../../../bot/queue/cycle.ts';
import { flushPendingReplies } from '../../../../bot/report/deliver.ts';
import {
  afterFailedAttempt,
  DEFAULT_DELIVERY_POLICY,
  deliveryErrorText,
  isPermanentDeliveryError,
} from '../../../../bot/report/delivery-policy.ts';
import type { PipelineDeps } from '../../../../bot/deps.ts';
import type { MailSender } from '../../../../bot/report/senders.ts';
import { processCommands } from '../../../../bot/commands/process.ts';
import { InfraError } from '../../../../bot/errors.ts';
import { listJobs } from '../../../../bot/store/jobs.ts';
import { storeMessage } from '../../../../bot/store/messages.ts';
import { pendingReplies, undeliveredReplies, versionReplies } from '../../../../bot/store/replies.ts';
import { saveSeriesVersions } from '../../../../bot/store/series.ts';
import type { Store } from '../../../../bot/store/store.ts';
import { toIncoming } from '../../../../bot/intake/ingest.ts';
import { parseMessage } from '../../../../ingest/parse/message.ts';
import { FakeRunner, fakeDeps, fileStoreWith, version } from '../../../helpers/pipeline-fakes.ts';

const MIN = 60_000;

/** As the SMTP sender reports a 5xx answer (bot/report/senders.ts). */
function refused550(): InfraError {
  return new InfraError(
    'SMTP delivery failed',
    { host: 'mx', port: 25, responseCode: 550, permanent: true },
    { cause: new Error('550 5.1.1 <ann@example.org>: Recipient address rejected') },
  );
}

/** Refuses every mail `refuse` picks; delivers (and counts) the others. */
class PickySender implements MailSender {
  tries: string[] = [];
  sent: string[] = [];
  constructor(private readonly refuse: (raw: string) => Error | null) {}
  async send(mail: { messageId: string; raw: string }): Promise<string> {
    this.tries.push(mail.messageId);
    const err = this.refuse(mail.raw);
    if (err) throw err;
    this.sent.push(mail.messageId);
    return `ok:${mail.messageId}`;
  }
}

function clockedDeps(
  store: Store,
  sender: MailSender,
  start: string,
): { deps: PipelineDeps; advance(ms: number): void } {
  let now = new Date(start);
  const deps = fakeDeps(store, new FakeRunner({ badPatch: 1, patches: 1 }), sender, { now: () => now });
  return { deps, advance: (ms) => (now = new Date(now.getTime() + ms)) };
}

const cycle = (deps: PipelineDeps) =>
  runCycle(deps, {
    since: null,
    processCommands: async () => {
      await processCommands(deps);
    },
  });

describe('reply delivery', () => {
  it('a result reply refused with 550 does not stop later cycles, and is given up after 3 attempts', async () => {
    const store = await fileStoreWith([version('a#v1', 1)]);
    const sender = new PickySender((raw) => (raw.includes('In-Reply-To: <a#v1-') ? refused550() : null));
    const { deps, advance } = clockedDeps(store, sender, '2024-06-02T00:00:00.000Z');

    const first = await cycle(deps);
    expect(first.jobs).toEqual([{ id: 1, exit: 'done' }]);
    const [a] = await versionReplies(store.db, 'a#v1');
    expect(a).toMatchObject({ state: 'pending', attempts: 1, nextAttemptAt: '2024-06-02T00:01:00.000Z' });
    expect(a?.lastError).toContain('550 5.1.1');
    // The job keeps its verdict: the refusal is not an infrastructure failure of the job.
    expect((await listJobs(store.db))[0]).toMatchObject({ state: 'done', outcome: 'regression' });

    // A new series arrives: the next cycle still enqueues and tests it, whatever a's reply does.
    await saveSeriesVersions(store.db, [version('b#v1', 1)], '2024-06-02T00:00:30.000Z');
    advance(MIN);
    const second = await cycle(deps);
    expect(second).toMatchObject({ enqueued: 1, jobs: [{ id: 2, exit: 'done' }] });
    const [b] = await versionReplies(store.db, 'b#v1');
    expect(b?.state).toBe('sent');
    expect((await versionReplies(store.db, 'a#v1'))[0]).toMatchObject({
      state: 'pending',
      attempts: 2,
      nextAttemptAt: '2024-06-02T00:03:00.000Z',
    });

    // Held back until its backoff has passed.
    await cycle(deps);
    expect(sender.tries.filter((id) => id === a?.messageId)).toHaveLength(2);
    advance(10 * MIN);
    await cycle(deps);
    const given = (await versionReplies(store.db, 'a#v1'))[0];
    expect(given).toMatchObject({ state: 'failed', attempts: 3, nextAttemptAt: null });

    // Never retried again, and listed for `daxbot status`.
    advance(24 * 60 * MIN);
    await cycle(deps);
    expect(sender.tries.filter((id) => id === a?.messageId)).toHaveLength(3);
    expect(await pendingReplies(store.db)).toEqual([]);
    expect((await undeliveredReplies(store.db)).map((r) => [r.messageId, r.state])).toEqual([[a?.messageId, 'failed']]);
    await store.close();
  });

  it('a transient failure is retried with growing backoff until the reply gets through', async () => {
    const store = await fileStoreWith([version('t#v1', 1)]);
    let failures = 4;
    const sender = new PickySender(() =>
      failures-- > 0
        ? new InfraError(
            'SMTP delivery failed',
            { responseCode: undefined, permanent: false },
            { cause: new Error('connect ECONNREFUSED 127.0.0.1:25') },
          )
        : null,
    );
    const { deps, advance } = clockedDeps(store, sender, '2024-06-02T00:00:00.000Z');
    await cycle(deps);
    const waits: string[] = [];
    for (let i = 0; i < 6; i++) {
      const [r] = await versionReplies(store.db, 't#v1');
      if (r?.state === 'sent') break;
      expect(r?.state).toBe('pending');
      waits.push(r?.nextAttemptAt ?? '');
      advance(60 * MIN);
      await flushPendingReplies(deps);
    }
    // Four transient failures (more than the 3 a permanent one gets), then delivered.
    expect(waits).toEqual([
      '2024-06-02T00:01:00.000Z',
      '2024-06-02T01:02:00.000Z',
      '2024-06-02T02:04:00.000Z',
      '2024-06-02T03:08:00.000Z',
    ]);
    const [r] = await versionReplies(store.db, 't#v1');
    expect(r).toMatchObject({ state: 'sent', attempts: 4 });
    expect(r?.lastError).toContain('ECONNREFUSED');
    expect(sender.sent).toEqual([r?.messageId]);
    await store.close();
  });

  it('one refused command answer does not hold back the others', async () => {
    const store = await fileStoreWith([version('c#v1', 3)]);
    for (const id of ['cmd1@example.org', 'cmd2@example.org']) {
      const raw = Buffer.from(
        `From: Bob <bob@example.org>\nTo: nvdimm@lists.linux.dev\nSubject: Re: [PATCH 0/3] series c#v1\nDate: Sat, 01 Jun 2024 12:00:00 +0000\nMessage-ID: <${id}>\nIn-Reply-To: <c#v1-0@example.org>\n\n#daxbot frobnicate\n`,
      );
      await storeMessage(
        store.db,
        'test',
        await toIncoming({ raw, origin: 'test' }, { parse: (r) => parseMessage(r), followups: () => [] }),
        '2024-06-01T12:00:00.000Z',
      );
    }
    const sender = new PickySender((raw) => (raw.includes('In-Reply-To: <cmd1@example.org>') ? refused550() : null));
    const { deps } = clockedDeps(store, sender, '2024-06-02T00:00:00.000Z');
    expect(
      await processCommands(deps, {
        verifyDkim: async () => ({ pass: false, domains: [], fromDomain: null, detail: 'none (no signature)' }),
      }),
    ).toBe(2);
    expect(sender.sent).toHaveLength(1);
    const [stuck] = await undeliveredReplies(store.db);
    expect(stuck).toMatchObject({ kind: 'command', state: 'pending', attempts: 1 });
    await store.close();
  });
});

describe('delivery decisions', () => {
  it('classifies 5xx as permanent, keeps the cause in the error text, and gives up in time', () => {
    expect(isPermanentDeliveryError(refused550())).toBe(true);
    expect(
      isPermanentDeliveryError(new InfraError('SMTP delivery failed', { responseCode: 421, permanent: false })),
    ).toBe(false);
    expect(isPermanentDeliveryError(Object.assign(new Error('raw nodemailer'), { responseCode: 554 }))).toBe(true);
    expect(isPermanentDeliveryError(new Error('EACCES'))).toBe(false);
    expect(deliveryErrorText(refused550())).toBe(
      'SMTP delivery failed: 550 5.1.1 <ann@example.org>: Recipient address rejected',
    );
    const now = new Date('2024-06-02T00:00:00.000Z');
    const p = DEFAULT_DELIVERY_POLICY;
    expect(afterFailedAttempt(1, true, now, p)).toEqual({ failed: false, nextAttemptAt: '2024-06-02T00:01:00.000Z' });
    expect(afterFailedAttempt(p.permanentAttempts, true, now, p)).toEqual({ failed: true, nextAttemptAt: null });
    expect(afterFailedAttempt(p.permanentAttempts, false, now, p).failed).toBe(false);
    expect(afterFailedAttempt(10, false, now, p).nextAttemptAt).toBe('2024-06-02T01:00:00.000Z');
    expect(afterFailedAttempt(p.maxAttempts, false, now, p).failed).toBe(true);
  });
});
