import { ImapFlow } from 'imapflow';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../bot/log.ts';
import { createImapSource, type ImapSource } from '../../ingest/sources/imap/index.ts';
import type { PollResult } from '../../ingest/sources/types.ts';
import { dovecotAvailable, startDovecot, type RunningDovecot } from '../helpers/servers/dovecot.ts';

const log = silentLogger();
const env = { DAXBOT_IMAP_PASSWORD: 'secret' };

function mail(id: string): string {
  return `From: Alice <alice@example.com>\r\nTo: nvdimm@lists.linux.dev\r\nSubject: ${id}\r\nMessage-ID: <${id}@example.com>\r\n\r\nbody ${id}\r\n`;
}

function subjects(r: PollResult): string[] {
  return r.messages.map((m) => /^Subject: (.*)\r?$/m.exec(m.raw.toString())?.[1] ?? '?');
}

describe.skipIf(!dovecotAvailable)('imap source against a real dovecot (needs Debian package dovecot-imapd)', () => {
  let server: RunningDovecot;
  let writer: ImapFlow;
  const sources: ImapSource[] = [];

  function source(mailbox = 'nvdimm'): ImapSource {
    const s = createImapSource({
      kind: 'imap',
      name: 'imap',
      host: server.host,
      port: server.port,
      secure: false,
      user: 'daxbot',
      passwordEnv: 'DAXBOT_IMAP_PASSWORD',
      mailbox,
      idle: true,
      schedule: '',
    });
    sources.push(s);
    return s;
  }

  beforeAll(async () => {
    server = await startDovecot([{ user: 'daxbot', pass: 'secret' }]);
    writer = new ImapFlow({
      host: server.host,
      port: server.port,
      secure: false,
      auth: { user: 'daxbot', pass: 'secret' },
      logger: false,
    });
    await writer.connect();
    await writer.mailboxCreate('nvdimm');
    for (const id of ['m1', 'm2', 'm3']) await writer.append('nvdimm', mail(id));
  }, 60_000);

  afterAll(async () => {
    for (const s of sources) await s.close().catch(() => undefined);
    await writer?.logout().catch(() => undefined);
    await server?.stop();
  });

  it('fetches by UID in batches, then only new mail, and nothing after a restart', async () => {
    const s = source();
    const first = await s.poll(null, { log, env, batchSize: 2 });
    expect(subjects(first)).toEqual(['m1', 'm2']);
    expect(first.more).toBe(true);
    expect(first.messages[0]!.origin).toBe('uid 1');
    const second = await s.poll(first.nextCheckpoint, { log, env, batchSize: 2 });
    expect(subjects(second)).toEqual(['m3']);
    expect(second.more).toBe(false);
    expect(JSON.parse(second.nextCheckpoint!)).toMatchObject({ lastUid: 3 });
    expect((await s.poll(second.nextCheckpoint, { log, env })).messages).toEqual([]);

    await writer.append('nvdimm', mail('m4'));
    const third = await s.poll(second.nextCheckpoint, { log, env });
    expect(subjects(third)).toEqual(['m4']);
    // Raw bytes as stored, CRLF and all.
    expect(third.messages[0]!.raw.toString()).toBe(mail('m4'));

    const restarted = source();
    expect((await restarted.poll(third.nextCheckpoint, { log, env })).messages).toEqual([]);
  });

  it('restarts from UID 0 with a warning when UIDVALIDITY changes', async () => {
    const s = source();
    const before = await s.poll(null, { log, env });
    expect(before.messages.length).toBeGreaterThan(0);
    await s.close();
    await writer.mailboxDelete('nvdimm');
    await writer.mailboxCreate('nvdimm');
    await writer.append('nvdimm', mail('n1'));
    const warnings: string[] = [];
    const capture = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(line) });
    const after = await s.poll(before.nextCheckpoint, { log: capture, env });
    expect(subjects(after)).toEqual(['n1']);
    expect(warnings.join('')).toMatch(/UIDVALIDITY changed/);
    expect(JSON.parse(after.nextCheckpoint!).uidValidity).not.toBe(JSON.parse(before.nextCheckpoint!).uidValidity);
  });

  it('watch() resolves when new mail arrives (IDLE), and false on timeout', async () => {
    const s = source();
    const cp = (await s.poll(null, { log, env })).nextCheckpoint;
    expect(await s.watch({ log, env }, 300)).toBe(false);
    const waiting = s.watch({ log, env }, 15_000);
    await new Promise((r) => setTimeout(r, 300));
    await writer.append('nvdimm', mail('idle1'));
    expect(await waiting).toBe(true);
    expect(subjects(await s.poll(cp, { log, env }))).toEqual(['idle1']);
  });

  it('fails with a SourceError on a wrong password or a missing password variable', async () => {
    const s = source();
    await expect(s.poll(null, { log, env: { DAXBOT_IMAP_PASSWORD: 'wrong' } })).rejects.toMatchObject({
      kind: 'source',
    });
    await expect(s.poll(null, { log, env: {} })).rejects.toMatchObject({
      kind: 'source',
      context: { passwordEnv: 'DAXBOT_IMAP_PASSWORD' },
    });
  });
});
