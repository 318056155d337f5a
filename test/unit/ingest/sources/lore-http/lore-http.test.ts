import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../../../bot/log.ts';
import { messageIdFromHref, parseAtomFeed } from '../../../../../ingest/sources/lore-http/atom.ts';
import { fetchWithBackoff, retryAfterMs } from '../../../../../ingest/sources/lore-http/http-backoff.ts';
import { createLoreHttpSource } from '../../../../../ingest/sources/lore-http/index.ts';
import { expectGolden } from '../../../../helpers/golden.ts';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'fixtures', 'sources');
const log = silentLogger();

/** A fake clock whose sleep only moves time forward and records the delays. */
function fakeClock(start = Date.UTC(2025, 0, 1)) {
  let t = start;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
    advance: (ms: number) => (t += ms),
    sleeps,
  };
}

function mboxOf(ids: string[]): Buffer {
  return gzipSync(
    Buffer.from(
      ids
        .map((id) => `From mboxrd@z Thu Jan  1 00:00:00 1970\nMessage-ID: <${id}>\nSubject: ${id}\n\n>From body\n\n`)
        .join(''),
    ),
  );
}

function atomOf(entries: Array<{ id: string; updated: string }>): string {
  const items = entries
    .map(
      (e) =>
        `<entry><title>${e.id}</title><updated>${e.updated}</updated><link\nhref="http://lore.test/list/${encodeURIComponent(e.id)}/"/><id>urn:uuid:${e.id}</id></entry>`,
    )
    .join('');
  return `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>${items}</feed>`;
}

describe('atom', () => {
  it('parses public-inbox new.atom', () => {
    const entries = parseAtomFeed(readFileSync(join(fixtures, 'new.atom'), 'utf8'));
    expectGolden('sources/new-atom', entries);
    expect(entries.map((e) => messageIdFromHref(e.href))).toEqual(['r1/slash@example.com', 'p1@example.com']);
  });
});

describe('fetchWithBackoff', () => {
  it('honours Retry-After on 429, doubles the delay on 5xx and network errors, and caps it', async () => {
    const clock = fakeClock();
    const answers: Array<() => Response> = [
      () => new Response('slow down', { status: 429, headers: { 'retry-after': '7' } }),
      () => new Response('oops', { status: 503 }),
      () => {
        throw new TypeError('fetch failed');
      },
      () =>
        new Response('late', { status: 429, headers: { 'retry-after': new Date(clock.now() + 90_000).toUTCString() } }),
      () => new Response('ok', { status: 200 }),
    ];
    let calls = 0;
    const fakeFetch: typeof fetch = async () => answers[calls++]!();
    const res = await fetchWithBackoff('http://lore.test/x', {
      fetch: fakeFetch,
      sleep: clock.sleep,
      now: clock.now,
      baseDelayMs: 1000,
      maxDelayMs: 60_000,
      maxAttempts: 6,
    });
    expect(await res.text()).toBe('ok');
    expect(clock.sleeps).toEqual([7000, 2000, 4000, 60_000]);
  });

  it('gives up with a SourceError carrying the URL and status', async () => {
    const clock = fakeClock();
    const fakeFetch: typeof fetch = async () => new Response('', { status: 429 });
    await expect(
      fetchWithBackoff('http://lore.test/y', {
        fetch: fakeFetch,
        sleep: clock.sleep,
        now: clock.now,
        baseDelayMs: 500,
        maxDelayMs: 10_000,
        maxAttempts: 3,
      }),
    ).rejects.toMatchObject({ kind: 'source', context: { url: 'http://lore.test/y', status: 429, attempts: 3 } });
    expect(clock.sleeps).toEqual([500, 1000]);
  });

  it('reads Retry-After as seconds or a date', () => {
    expect(retryAfterMs('12', 0)).toBe(12_000);
    expect(retryAfterMs('Thu, 01 Jan 1970 00:01:00 GMT', 0)).toBe(60_000);
    expect(retryAfterMs('soon', 0)).toBeNull();
    expect(retryAfterMs(null, 0)).toBeNull();
  });
});

describe('lore-http source with a fake fetch', () => {
  function fakeLore() {
    const feed: Array<{ id: string; updated: string }> = [];
    const threads = new Map<string, string[]>();
    const requests: string[] = [];
    let failNext = 0;
    const fakeFetch: typeof fetch = async (input) => {
      const url = String(input);
      requests.push(url);
      if (failNext > 0) {
        failNext--;
        return new Response('busy', { status: 429, headers: { 'retry-after': '3' } });
      }
      if (url === 'http://lore.test/list/new.atom') return new Response(atomOf([...feed].reverse()));
      const m = /^http:\/\/lore\.test\/list\/([^/]+)\/t\.mbox\.gz$/.exec(url);
      const thread = m ? threads.get(decodeURIComponent(m[1]!)) : undefined;
      return thread
        ? new Response(mboxOf(thread), { headers: { 'content-type': 'application/gzip' } })
        : new Response('no', { status: 404 });
    };
    return {
      feed,
      threads,
      requests,
      fetch: fakeFetch,
      failNext: (n: number) => (failNext = n),
      post(id: string, updated: string, thread: string[]) {
        feed.push({ id, updated });
        for (const t of thread) threads.set(t, thread);
      },
    };
  }

  const config = {
    kind: 'lore-http' as const,
    name: 'lore',
    url: 'http://lore.test/list',
    schedule: '',
    maxBackoff: '10m',
  };

  it('hands on new threads once, fetching each thread once per poll', async () => {
    const lore = fakeLore();
    const clock = fakeClock();
    lore.post('p1@x', '2025-01-01T10:00:00Z', ['p1@x']);
    lore.post('r1@x', '2025-01-01T10:05:00Z', ['p1@x', 'r1@x']);
    const source = createLoreHttpSource(config, { sleep: clock.sleep, now: clock.now });
    const first = await source.poll(null, { log, fetch: lore.fetch });
    // The older entry's thread already holds the newer one: one thread fetch.
    expect(lore.requests.filter((u) => u.endsWith('t.mbox.gz'))).toHaveLength(1);
    expect(first.messages.map((m) => m.raw.toString().split('\n')[0])).toEqual([
      'Message-ID: <p1@x>',
      'Message-ID: <r1@x>',
    ]);
    expect(first.messages[0]!.raw.toString()).toContain('\nFrom body\n');
    expect(JSON.parse(first.nextCheckpoint!)).toEqual({ updated: '2025-01-01T10:05:00Z', ids: ['p1@x', 'r1@x'] });

    expect((await source.poll(first.nextCheckpoint, { log, fetch: lore.fetch })).messages).toEqual([]);
    // Same timestamp as the newest, and an older Date (late delivery): both still new.
    lore.post('r2@x', '2025-01-01T10:05:00Z', ['p1@x', 'r1@x', 'r2@x']);
    lore.post('q1@x', '2024-12-31T00:00:00Z', ['q1@x']);
    const third = await source.poll(first.nextCheckpoint, { log, fetch: lore.fetch });
    expect(third.messages.map((m) => m.raw.toString().split('\n')[0])).toEqual([
      'Message-ID: <q1@x>',
      'Message-ID: <p1@x>',
      'Message-ID: <r1@x>',
      'Message-ID: <r2@x>',
    ]);
  });

  it('batches by entries with more: true', async () => {
    const lore = fakeLore();
    for (let i = 0; i < 5; i++) lore.post(`m${i}@x`, `2025-01-01T10:0${i}:00Z`, [`m${i}@x`]);
    const source = createLoreHttpSource(config, {});
    const a = await source.poll(null, { log, fetch: lore.fetch, batchSize: 2 });
    expect(a.messages).toHaveLength(2);
    expect(a.more).toBe(true);
    const b = await source.poll(a.nextCheckpoint, { log, fetch: lore.fetch, batchSize: 2 });
    const c = await source.poll(b.nextCheckpoint, { log, fetch: lore.fetch, batchSize: 2 });
    expect([b.messages.length, c.messages.length, c.more]).toEqual([2, 1, false]);
  });

  it('backs off on 429 within a poll, then pauses later polls after giving up', async () => {
    const lore = fakeLore();
    const clock = fakeClock();
    lore.post('p1@x', '2025-01-01T10:00:00Z', ['p1@x']);
    const source = createLoreHttpSource(config, {
      sleep: clock.sleep,
      now: clock.now,
      maxAttempts: 3,
      baseDelayMs: 1000,
    });
    lore.failNext(2);
    const ok = await source.poll(null, { log, fetch: lore.fetch });
    expect(ok.messages).toHaveLength(1);
    expect(clock.sleeps).toEqual([3000, 3000]);

    lore.failNext(3);
    await expect(source.poll(ok.nextCheckpoint, { log, fetch: lore.fetch })).rejects.toMatchObject({ kind: 'source' });
    const before = lore.requests.length;
    const skipped = await source.poll(ok.nextCheckpoint, { log, fetch: lore.fetch });
    expect(skipped).toEqual({ messages: [], nextCheckpoint: ok.nextCheckpoint, more: false });
    expect(lore.requests.length).toBe(before);
    clock.advance(10 * 60_000);
    lore.post('p2@x', '2025-01-01T11:00:00Z', ['p2@x']);
    expect((await source.poll(ok.nextCheckpoint, { log, fetch: lore.fetch })).messages).toHaveLength(1);
  });
});
