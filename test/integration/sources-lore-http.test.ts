import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../bot/log.ts';
import { createLoreHttpSource } from '../../ingest/sources/lore-http/index.ts';
import type { PollResult } from '../../ingest/sources/types.ts';
import {
  createTestInbox,
  publicInboxAvailable,
  startPublicInboxHttpd,
  testMail,
  type RunningHttpd,
  type TestInbox,
} from '../helpers/servers/public-inbox.ts';

const log = silentLogger();

function ids(r: PollResult): string[] {
  return r.messages.map((m) => /^Message-ID: <([^>]+)>/im.exec(m.raw.toString())?.[1] ?? '?');
}

describe.skipIf(!publicInboxAvailable)(
  'lore-http source against real public-inbox-httpd (needs Debian package public-inbox)',
  () => {
    let inbox: TestInbox;
    let httpd: RunningHttpd | undefined;

    beforeAll(async () => {
      inbox = createTestInbox('lorehttp');
      inbox.deliver(testMail(inbox, 'p1', { subject: '[PATCH] dax: fix', date: new Date(Date.UTC(2024, 0, 1, 10)) }));
      inbox.deliver(
        testMail(inbox, 'r1', {
          subject: 'Re: [PATCH] dax: fix',
          inReplyTo: 'p1',
          date: new Date(Date.UTC(2024, 0, 1, 11)),
        }),
      );
      inbox.deliver(testMail(inbox, 'o1/with-slash', { subject: 'other', date: new Date(Date.UTC(2024, 0, 1, 12)) }));
      httpd = await startPublicInboxHttpd(inbox);
    }, 60_000);
    afterAll(async () => {
      await httpd?.stop();
      inbox?.remove();
    });

    it('reads new.atom, fetches whole threads as t.mbox.gz, then only what is new', async () => {
      const source = createLoreHttpSource({
        kind: 'lore-http',
        name: 'lore',
        url: httpd!.inboxUrl,
        schedule: '',
        maxBackoff: '1m',
      });
      const first = await source.poll(null, { log });
      expect(ids(first).sort()).toEqual(['o1/with-slash@example.com', 'p1@example.com', 'r1@example.com']);
      // mboxrd quoting was undone.
      expect(first.messages[0]!.raw.toString()).toContain('\nFrom the start of a line');
      expect(first.messages[0]!.raw.toString()).toMatch(/^[A-Za-z-]+: /);
      expect(first.messages[0]!.raw.toString().startsWith('From mboxrd')).toBe(false);

      const idle = await source.poll(first.nextCheckpoint, { log });
      expect(idle.messages).toEqual([]);

      inbox.deliver(
        testMail(inbox, 'r2', {
          subject: 'Re: [PATCH] dax: fix',
          inReplyTo: 'r1',
          date: new Date(Date.UTC(2024, 0, 2)),
        }),
      );
      const second = await source.poll(first.nextCheckpoint, { log });
      // The whole thread of the new reply comes along.
      expect(ids(second)).toEqual(['p1@example.com', 'r1@example.com', 'r2@example.com']);
      expect((await source.poll(second.nextCheckpoint, { log })).messages).toEqual([]);
    });

    it('fails with a SourceError when the server is gone', async () => {
      const source = createLoreHttpSource(
        { kind: 'lore-http', name: 'lore', url: 'http://127.0.0.1:9/nothing/', schedule: '', maxBackoff: '1s' },
        { sleep: async () => undefined, maxAttempts: 2 },
      );
      await expect(source.poll(null, { log })).rejects.toMatchObject({ kind: 'source' });
    });
  },
);
