import { describe, expect, it } from 'vitest';
import type { DNSResolver } from 'mailauth';
import { parseMessage } from '../../../../ingest/parse/message.ts';
import { toIncoming } from '../../../../bot/intake/ingest.ts';
import { storeMessage } from '../../../../bot/store/messages.ts';
import { listCommands } from '../../../../bot/store/commands.ts';
import { listJobs } from '../../../../bot/store/jobs.ts';
import { processCommands } from '../../../../bot/commands/process.ts';
import type { Store } from '../../../../bot/store/store.ts';
import { FakeRunner, FakeSender, fakeDeps, storeWith, testConfig, version } from '../../../helpers/pipeline-fakes.ts';

// No DNS leaves this machine: every lookup fails, so every DKIM signature is unverifiable.
const offline: DNSResolver = async () => {
  const err = new Error('offline') as Error & { code: string };
  err.code = 'ENOTFOUND';
  throw err;
};

function commandMail(id: string, from: string, body: string, dkim = ''): Buffer {
  return Buffer.from(
    `${dkim}From: ${from}\nTo: nvdimm@lists.linux.dev\nSubject: Re: [PATCH 0/3] series c#v1\nDate: Sat, 01 Jun 2024 12:00:00 +0000\nMessage-ID: <${id}>\nIn-Reply-To: <c#v1-0@example.org>\nReferences: <c#v1-0@example.org>\n\n${body}\n`,
  );
}

async function ingest(store: Store, raw: Buffer): Promise<void> {
  const incoming = await toIncoming({ raw, origin: 'test' }, { parse: (r) => parseMessage(r), followups: () => [] });
  await storeMessage(store.db, 'test', incoming, '2024-06-01T12:00:00.000Z');
}

describe('mail commands', () => {
  it('re-test from anyone is accepted and queued first; privileged ones without the allowlist or DKIM are refused with the reason', async () => {
    const store = await storeWith([version('c#v1', 3)]);
    await ingest(
      store,
      commandMail('cmd1@example.org', 'Bob <bob@example.org>', 'Please check again.\n\n#daxbot retest\n'),
    );
    await ingest(store, commandMail('cmd2@example.org', 'Eve <eve@example.net>', '#daxbot test dax repeat 3\n'));
    await ingest(
      store,
      commandMail(
        'cmd3@example.org',
        'Maintainer <maintainer@example.org>',
        '#daxbot invalid\n',
        'DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.org; s=sel; h=from:subject; bh=AAAA; b=AAAA\n',
      ),
    );
    await ingest(
      store,
      commandMail(
        'cmd4@example.org',
        'Bob <bob@example.org>',
        '#daxbot frobnicate\n> #daxbot retest (quoted: ignored)\n',
      ),
    );
    const sender = new FakeSender();
    const config = testConfig({ mail: { maintainers: ['maintainer@example.org'] } });
    const deps = fakeDeps(store, new FakeRunner({}), sender, { config });
    expect(await processCommands(deps, { resolver: offline })).toBe(4);
    const cmds = await listCommands(store.db);
    const by = (id: string) => cmds.find((c) => c.messageId.startsWith(id));
    expect(by('cmd1')).toMatchObject({ decision: 'accepted', versionKey: 'c#v1' });
    expect(by('cmd2')).toMatchObject({ decision: 'refused' });
    expect(by('cmd2')?.reason).toContain('not on the maintainer list');
    expect(by('cmd3')).toMatchObject({ decision: 'refused' });
    expect(by('cmd3')?.reason).toContain('did not pass DKIM');
    expect(by('cmd4')?.reason).toContain('unknown command');
    // Every command is answered, once.
    expect(sender.sent).toHaveLength(4);
    // Answers are rendered replies (wrapped at 75 columns): compare with whitespace collapsed.
    const answer = sender.sent.find((m) => m.raw.includes('In-Reply-To: <cmd2@example.org>'))?.raw.replace(/\s+/g, ' ');
    expect(answer).toContain('Refused: eve@example.net is not on the maintainer list');
    expect(answer).toContain('(DKIM: none (no signature))');
    expect(answer).toContain('X-Daxbot-Result: command-refused');
    const jobs = await listJobs(store.db);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ trigger: 'command', priority: 10 });
    expect(await processCommands(deps, { resolver: offline })).toBe(0);
    expect(sender.sent).toHaveLength(4);
    await store.close();
  });
});
