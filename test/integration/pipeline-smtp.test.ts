/**
 * Replies over real SMTP: a local smtp-server on 127.0.0.1 receives the regression reply the
 * pipeline sends (runs faked: this is about delivery, the demo test builds kernels).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { runCycle } from '../../bot/queue/cycle.ts';
import { createSender } from '../../bot/report/senders.ts';
import { FakeRunner, fakeDeps, storeWith, testConfig, version } from '../helpers/pipeline-fakes.ts';

const received: { to: string[]; data: string }[] = [];
let server: SMTPServer;
let port = 0;

beforeAll(async () => {
  server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, cb) {
      let data = '';
      stream.on('data', (c: Buffer) => (data += c.toString()));
      stream.on('end', () => {
        received.push({ to: session.envelope.rcptTo.map((r) => r.address), data });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('pipeline replies over SMTP', () => {
  it('sends one reply for a regression, none for a clean series', async () => {
    const store = await storeWith([version('bad#v1', 5), version('clean#v1', 2)]);
    const config = testConfig({ mail: { smtp: { host: '127.0.0.1', port } } });
    const sender = createSender(config, {}, process.cwd());
    const runner = new FakeRunner({ badPatch: 3, patches: 5 });
    // The clean series has 2 patches; the fake runner counts patches from patchLimit or `patches`.
    await runCycle(fakeDeps(store, runner, sender, { config }), { since: null });
    expect(received).toHaveLength(1);
    expect(received[0]?.to).toEqual(['ann@example.org']);
    expect(received[0]?.data).toContain('first bad commit: [PATCH 3/5] patch number 3');
    const rows = await store.db
      .selectFrom('replies')
      .select(['state', 'delivery_id'])
      .where('mailed', '=', 1)
      .execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]?.state).toBe('sent');
    expect(rows[0]?.delivery_id).toMatch(/^smtp:/);
    await store.close();
  });
});
