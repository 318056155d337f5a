/**
 * Real SMTP: a smtp-server on 127.0.0.1 receives the bot's replies through nodemailer.
 */
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InfraError } from '../../bot/errors.ts';
import { buildMessage } from '../../bot/report/mail.ts';
import { renderReply } from '../../bot/report/render/reply.ts';
import { createSmtpSender } from '../../bot/report/senders.ts';
import * as inputs from '../unit/bot/report/render/inputs.ts';
import { hostileReply } from '../unit/bot/report/render/inputs.ts';

interface Received {
  from: string;
  to: string[];
  raw: Buffer;
  user?: string;
}

const received: Received[] = [];
let server: SMTPServer;
let port = 0;

beforeAll(async () => {
  server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === 'daxbot' && auth.password === 's3cret') cb(null, { user: 'daxbot' });
      else cb(new Error('bad credentials'));
    },
    onRcptTo(address, _session, cb) {
      if (address.address.endsWith('@rejected.example')) {
        const err = Object.assign(new Error('mailbox unavailable'), { responseCode: 550 });
        cb(err);
      } else cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        received.push({
          from,
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks),
          user: typeof session.user === 'string' ? session.user : undefined,
        });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.server.address();
  port = addr && typeof addr === 'object' ? (addr as AddressInfo).port : 0;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const date = new Date('2024-06-28T12:00:00Z');
const smtp = () => ({ host: '127.0.0.1', port, secure: false, passwordEnv: 'DAXBOT_SMTP_PASSWORD' });

function headerNames(raw: Buffer): string[] {
  const head = raw.toString('latin1').split('\r\n\r\n')[0] ?? '';
  return head
    .split('\r\n')
    .filter((l) => /^[^\s:]+:/.test(l))
    .map((l) => l.slice(0, l.indexOf(':')).toLowerCase());
}

describe('SMTP delivery', () => {
  it('delivers a regression reply with its headers and body', async () => {
    const send = createSmtpSender(smtp(), {});
    const mail = await buildMessage(renderReply(inputs.regression), { date });
    const id = await send(mail);
    expect(id).toMatch(/^smtp:<daxbot-[0-9a-f]{24}@daxbot\.localhost>:250/);
    const got = received.at(-1);
    if (!got) throw new Error('nothing received');
    expect(got.from).toBe('daxbot@localhost');
    expect(got.to).toEqual([
      'apopple@nvidia.com',
      'nvdimm@lists.linux.dev',
      'dan.j.williams@intel.com',
      'linux-mm@kvack.org',
    ]);
    const parsed = await simpleParser(got.raw);
    expect(parsed.messageId).toBe(mail.messageId);
    expect(parsed.inReplyTo).toBe('<cover.1719386613.git-series.apopple@nvidia.com>');
    expect(parsed.subject).toBe('Re: [PATCH 00/13] fs/dax: Fix FS DAX page reference counts');
    expect(parsed.text).toContain('first bad commit: [PATCH 10/13] fs/dax: Properly refcount fs dax pages');
    expect(parsed.text).toContain('Reported-by: daxbot <daxbot@localhost>');
    expect(parsed.html).toBe(false);
  });

  it('lets no injected header or recipient through', async () => {
    const send = createSmtpSender(smtp(), {});
    await send(await buildMessage(hostileReply(), { date }));
    const got = received.at(-1);
    if (!got) throw new Error('nothing received');
    expect(got.to.join(' ')).not.toMatch(/victim/);
    const names = headerNames(got.raw);
    expect(names).not.toContain('bcc');
    expect(names).not.toContain('x-injected');
    const parsed = await simpleParser(got.raw);
    expect(parsed.bcc).toBeUndefined();
    expect(parsed.subject).toBe('Re: subject Bcc: victim2@example.org X-Injected: 1 ünïcödé');
    expect(parsed.headers.has('x-injected')).toBe(false);
  });

  it('authenticates with the password from the environment', async () => {
    const send = createSmtpSender({ ...smtp(), user: 'daxbot' }, { DAXBOT_SMTP_PASSWORD: 's3cret' });
    await send(await buildMessage(renderReply(inputs.passed), { date }));
    expect(received.at(-1)?.user).toBe('daxbot');
    const wrong = createSmtpSender({ ...smtp(), user: 'daxbot' }, { DAXBOT_SMTP_PASSWORD: 'nope' });
    await expect(wrong(await buildMessage(renderReply(inputs.passed), { date }))).rejects.toBeInstanceOf(InfraError);
    expect(() => createSmtpSender({ ...smtp(), user: 'daxbot' }, {})).toThrow(/DAXBOT_SMTP_PASSWORD/);
  });

  it('reports a rejected recipient as a permanent failure', async () => {
    const send = createSmtpSender(smtp(), {});
    const r = renderReply({
      ...inputs.commandDone,
      commandMail: { ...inputs.commandDone.commandMail, from: 'x@rejected.example' },
    });
    const err = await send(await buildMessage(r, { date })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InfraError);
    if (err instanceof InfraError) expect(err.context).toMatchObject({ responseCode: 550, permanent: true });
  });
});
