import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../bot/log.ts';
import { createPublicInboxGitSource } from '../../ingest/sources/public-inbox-git/index.ts';
import type { PollResult, Source } from '../../ingest/sources/types.ts';
import { hasBinary } from '../helpers/servers/binaries.ts';
import { appendToEpoch } from '../helpers/servers/git-epoch.ts';
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
  return r.messages.map((m) => /^Message-ID: <([^@>]+)@/im.exec(m.raw.toString())?.[1] ?? '?');
}

function localSource(inbox: TestInbox, backfill = true): Source {
  return createPublicInboxGitSource({
    kind: 'public-inbox-git',
    name: 'pi',
    url: inbox.inboxDir,
    backfill,
    schedule: '',
  });
}

describe.skipIf(!publicInboxAvailable)(
  'public-inbox-git source on a real v2 inbox (needs Debian package public-inbox)',
  () => {
    let inbox: TestInbox;
    let httpd: RunningHttpd | undefined;
    let mirrorDir: string;

    beforeAll(() => {
      inbox = createTestInbox('pigit');
      mirrorDir = mkdtempSync(join(tmpdir(), 'daxbot-pi-mirror-'));
      for (const id of ['a1', 'a2', 'a3']) inbox.deliver(testMail(inbox, id));
    });
    afterAll(async () => {
      await httpd?.stop();
      inbox?.remove();
      rmSync(mirrorDir, { recursive: true, force: true });
    });

    it('reads everything with backfill, then only new messages, and nothing after a restart', async () => {
      const source = localSource(inbox);
      const first = await source.poll(null, { log });
      expect(ids(first)).toEqual(['a1', 'a2', 'a3']);
      expect(first.more).toBe(false);
      expect(first.messages[0]!.origin).toMatch(/^epoch 0 commit [0-9a-f]{40}$/);
      expect(first.messages[0]!.raw.toString()).toContain('\nFrom the start of a line');

      inbox.deliver(testMail(inbox, 'a4'));
      inbox.deliver(testMail(inbox, 'a5'));
      const second = await source.poll(first.nextCheckpoint, { log });
      expect(ids(second)).toEqual(['a4', 'a5']);
      // Idempotent: the same checkpoint gives the same batch.
      expect(ids(await source.poll(first.nextCheckpoint, { log }))).toEqual(['a4', 'a5']);

      // A restart: a new instance with the stored checkpoint re-reads nothing.
      const restarted = await localSource(inbox).poll(second.nextCheckpoint, { log });
      expect(restarted.messages).toEqual([]);
      expect(restarted.nextCheckpoint).toBe(second.nextCheckpoint);
    });

    it('batches with more: true', async () => {
      const source = localSource(inbox);
      const sizes: number[] = [];
      const more: boolean[] = [];
      let cp: string | null = null;
      for (let i = 0; i < 10; i++) {
        const r: PollResult = await source.poll(cp, { log, batchSize: 2 });
        sizes.push(r.messages.length);
        more.push(r.more);
        cp = r.nextCheckpoint;
        if (!r.more) break;
      }
      expect(sizes).toEqual([2, 2, 1]);
      expect(more).toEqual([true, true, false]);
    });

    it('starts at the tip without backfill', async () => {
      const source = localSource(inbox, false);
      const first = await source.poll(null, { log });
      expect(first.messages).toEqual([]);
      inbox.deliver(testMail(inbox, 'a6'));
      expect(ids(await source.poll(first.nextCheckpoint, { log }))).toEqual(['a6']);
    });

    it('picks up a second epoch and skips spam removals', async () => {
      const source = localSource(inbox);
      const before = await source.poll(null, { log, batchSize: 1000 });
      expect(ids(before)).toEqual(['a1', 'a2', 'a3', 'a4', 'a5', 'a6']);
      appendToEpoch(join(inbox.inboxDir, 'git', '1.git'), [
        { add: testMail(inbox, 'b1') },
        { add: testMail(inbox, 'spam') },
        { remove: true },
        { add: testMail(inbox, 'b2') },
      ]);
      const after = await source.poll(before.nextCheckpoint, { log });
      expect(ids(after)).toEqual(['b1', 'spam', 'b2']);
      expect(after.messages[0]!.origin).toMatch(/^epoch 1 /);
      expect(Object.keys(JSON.parse(after.nextCheckpoint ?? '{}').epochs)).toEqual(['0', '1']);
      expect((await source.poll(after.nextCheckpoint, { log })).messages).toEqual([]);
    });

    it('mirrors the epochs over HTTP from public-inbox-httpd (clone, then fetch)', async () => {
      httpd = await startPublicInboxHttpd(inbox);
      const source = createPublicInboxGitSource({
        kind: 'public-inbox-git',
        name: 'remote',
        url: httpd.inboxUrl,
        dir: mirrorDir,
        backfill: true,
        schedule: '',
      });
      const first = await source.poll(null, { log, batchSize: 1000 });
      expect(ids(first)).toEqual(['a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'b1', 'spam', 'b2']);
      inbox.deliver(testMail(inbox, 'a7'));
      const second = await source.poll(first.nextCheckpoint, { log });
      // public-inbox-mda writes to the newest epoch.
      expect(ids(second)).toEqual(['a7']);
    }, 60_000);
  },
);

describe.skipIf(!hasBinary('git'))('public-inbox-git source at scale', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'daxbot-pi-scale-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads 15,000 messages in seconds', async () => {
    const n = 15_000;
    const filler = 'x'.repeat(70);
    const body = Array.from({ length: 150 }, () => filler).join('\n');
    appendToEpoch(
      join(dir, 'git', '0.git'),
      Array.from({ length: n }, (_, i) => ({
        add: `From: a@example.com\nSubject: m${i}\nMessage-ID: <m${i}@example.com>\n\n${body}\n`,
      })),
    );
    const source = createPublicInboxGitSource({
      kind: 'public-inbox-git',
      name: 'scale',
      url: dir,
      backfill: true,
      schedule: '',
    });
    const started = performance.now();
    let cp: string | null = null;
    let count = 0;
    let polls = 0;
    let last = '';
    for (;;) {
      const r: PollResult = await source.poll(cp, { log, batchSize: 2000 });
      count += r.messages.length;
      polls++;
      last = r.messages[r.messages.length - 1]?.raw.toString().split('\n')[1] ?? last;
      cp = r.nextCheckpoint;
      if (!r.more) break;
    }
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `public-inbox-git source: ${count} messages in ${seconds.toFixed(2)} s (${Math.round(count / seconds)} msgs/s, ${polls} polls)`,
    );
    expect(count).toBe(n);
    expect(last).toBe(`Subject: m${n - 1}`);
    // Generous: the machine may be shared; the printed rate is the figure that matters.
    expect(seconds).toBeLessThan(60);
  }, 120_000);
});

describe.skipIf(!hasBinary('git'))('public-inbox-git source edge cases', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'daxbot-pi-edge-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads an epoch again with a warning when the checkpoint commit is gone, and keeps big messages whole', async () => {
    const gitDir = join(dir, '0.git');
    const big = `Subject: big\nMessage-ID: <big@example.com>\n\n${'y'.repeat(3_000_000)}\n`;
    appendToEpoch(gitDir, [{ add: 'Subject: a\nMessage-ID: <a@example.com>\n\na\n' }, { add: big }]);
    const source = createPublicInboxGitSource({
      kind: 'public-inbox-git',
      name: 'edge',
      url: dir,
      backfill: true,
      schedule: '',
    });
    const first = await source.poll(null, { log });
    expect(ids(first)).toEqual(['a', 'big']);
    expect(first.messages[1]!.raw.toString()).toBe(big);

    rmSync(gitDir, { recursive: true, force: true });
    appendToEpoch(gitDir, [{ add: 'Subject: c\nMessage-ID: <c@example.com>\n\nc\n' }], 1_800_000_000);
    const warnings: string[] = [];
    const capture = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(line) });
    const second = await source.poll(first.nextCheckpoint, { log: capture });
    expect(ids(second)).toEqual(['c']);
    expect(warnings.join('')).toMatch(/checkpoint commit is gone/);
  });

  it('throws a SourceError when there is no epoch', async () => {
    const source = createPublicInboxGitSource({
      kind: 'public-inbox-git',
      name: 'none',
      url: join(dir, 'missing'),
      backfill: true,
      schedule: '',
    });
    await expect(source.poll(null, { log })).rejects.toMatchObject({ kind: 'source' });
  });
});
