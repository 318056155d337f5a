import { mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createIdempotentOutbox } from '../../../../bot/report/senders.ts';
import { clearsMailedProblem, decideReply, replyMessageId, shouldMail } from '../../../../bot/report/reply-policy.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'daxbot-outbox-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('idempotent outbox', () => {
  it('delivers a Message-ID once, even after a reader moved it to cur/', async () => {
    const out = createIdempotentOutbox(dir);
    const mail = { messageId: 'a@x', recipients: ['b@y'], raw: 'Subject: hi\n\nbody\n' };
    const first = await out.send(mail);
    expect(await out.send(mail)).toBe(first);
    const [name] = readdirSync(path.join(dir, 'new'));
    renameSync(path.join(dir, 'new', name ?? ''), path.join(dir, 'cur', `${name}:2,S`));
    await out.send(mail);
    expect(readdirSync(path.join(dir, 'new'))).toHaveLength(0);
    await out.send({ ...mail, messageId: 'other@x' });
    expect(readdirSync(path.join(dir, 'new'))).toHaveLength(1);
  });
});

describe('reply policy', () => {
  it('mails regressions and apply failures, records passes unless asked', () => {
    expect(shouldMail('regression', { replyOnPass: false })).toBe(true);
    expect(shouldMail('apply-failed', { replyOnPass: false })).toBe(true);
    expect(shouldMail('pass', { replyOnPass: false })).toBe(false);
    expect(shouldMail('pass', { replyOnPass: true })).toBe(true);
    expect(shouldMail('infra', { replyOnPass: true })).toBe(false);
  });
  it('one reply per result; a changed result replies again', () => {
    const prev = [{ messageId: 'm1@d', digest: 'd1', outcome: 'regression' }];
    expect(decideReply('regression', 'd1', prev, { replyOnPass: false }).kind).toBe('none');
    expect(decideReply('pass', 'd2', prev, { replyOnPass: false })).toEqual({
      kind: 'reply',
      mail: false,
      changedFrom: prev[0],
    });
    expect(replyMessageId('k', 1, 'd', 'dom')).toBe(replyMessageId('k', 1, 'd', 'dom'));
    expect(replyMessageId('k', 2, 'd', 'dom')).not.toBe(replyMessageId('k', 1, 'd', 'dom'));
  });
  it('a pass that clears a mailed problem is mailed even with replyOnPass off', () => {
    const sent = { messageId: 'm1@d', digest: 'd1', outcome: 'regression', state: 'sent' };
    expect(decideReply('pass', 'd2', [sent], { replyOnPass: false })).toEqual({
      kind: 'reply',
      mail: true,
      changedFrom: sent,
    });
    expect(
      decideReply('pre-existing-only', 'd2', [{ ...sent, outcome: 'build-failed', state: 'pending' }], {
        replyOnPass: false,
      }),
    ).toMatchObject({ mail: true });
    // Nobody was told (recorded, withdrawn, or delivery given up): nothing to take back.
    for (const state of ['recorded', 'failed'])
      expect(decideReply('pass', 'd2', [{ ...sent, state }], { replyOnPass: false })).toMatchObject({ mail: false });
    // What counts is the last reply that went out, not the last one recorded.
    const silentPass = { messageId: 'm2@d', digest: 'd2', outcome: 'pass', state: 'recorded' };
    expect(clearsMailedProblem(['pass'], [sent, silentPass])).toBe(true);
    expect(clearsMailedProblem(['regression'], [sent])).toBe(false);
    expect(clearsMailedProblem(['infra'], [sent])).toBe(false);
    expect(clearsMailedProblem(['pass'], [{ ...sent, outcome: 'pass' }])).toBe(false);
  });
});
