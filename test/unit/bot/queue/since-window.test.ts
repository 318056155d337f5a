/**
 * The `--since` window: measured on the newest mail's Date for live sources, on the import time
 * for mail a maintainer imported with `ingest --mbox` (stored or seen again by it).
 */
import { describe, expect, it } from 'vitest';
import { enqueueNewVersions } from '../../../../bot/queue/enqueue.ts';
import {
  importSourceName,
  importTimeOf,
  insideWindow,
  isExplicitImport,
  versionMessageIds,
} from '../../../../bot/queue/since-window.ts';
import { storeMessage } from '../../../../bot/store/messages.ts';
import type { Store } from '../../../../bot/store/store.ts';
import { toIncoming } from '../../../../bot/intake/ingest.ts';
import { parseMessage } from '../../../../ingest/parse/message.ts';
import { fileStoreWith, testConfig, version } from '../../../helpers/pipeline-fakes.ts';

const NOW = new Date('2024-06-20T00:00:00.000Z');
const SINCE = new Date('2024-06-06T00:00:00.000Z'); // 14 days
const IMPORT = importSourceName('/home/dan/old.mbox');

/** The patch mail of a one-patch fake version (`version(key, 1)`), dated 2024-06-01. */
async function store1(store: Store, key: string, source: string, at: string): Promise<void> {
  const raw = Buffer.from(
    `From: Ann Author <ann@example.org>\nSubject: [PATCH] patch number 1\nDate: Sat, 01 Jun 2024 10:00:00 +0000\nMessage-ID: <${key}-1@example.org>\n\ndiff\n`,
  );
  await storeMessage(
    store.db,
    source,
    await toIncoming({ raw, origin: source }, { parse: (r) => parseMessage(r), followups: () => [] }),
    at,
  );
}

describe('the --since window', () => {
  it('lets an explicit import through whatever its Date, but not a live backfill or an import older than the window', async () => {
    const keys = ['live#v1', 'imported#v1', 'stale-import#v1', 'seen-again#v1', 'named-like-import#v1'];
    const store = await fileStoreWith(keys.map((k) => version(k, 1)));
    await store1(store, 'live#v1', 'lore', '2024-06-19T00:00:00.000Z');
    await store1(store, 'imported#v1', IMPORT, '2024-06-19T00:00:00.000Z');
    await store1(store, 'stale-import#v1', IMPORT, '2024-06-01T12:00:00.000Z');
    // Backfilled by the live source, then imported again by hand: the identical copy is a sighting.
    await store1(store, 'seen-again#v1', 'lore', '2024-06-02T00:00:00.000Z');
    await store1(store, 'seen-again#v1', IMPORT, '2024-06-19T00:00:00.000Z');
    // A configured source that happens to carry the prefix is a live source.
    await store1(store, 'named-like-import#v1', 'mbox:list', '2024-06-19T00:00:00.000Z');
    const config = testConfig({ sources: [{ kind: 'mbox', name: 'mbox:list', path: 'list.mbox' }] });

    const ids = await enqueueNewVersions(store, config, { now: NOW, since: SINCE });
    const queued = await store.db.selectFrom('jobs').select('version_key').orderBy('id').execute();
    expect(queued.map((r) => r.version_key)).toEqual(['imported#v1', 'seen-again#v1']);
    expect(ids).toHaveLength(2);
    // No window: everything untested.
    expect(await enqueueNewVersions(store, config, { now: NOW, since: null })).toHaveLength(3);
    await store.close();
  });

  it('pure parts', () => {
    expect(isExplicitImport(IMPORT, new Set())).toBe(true);
    expect(isExplicitImport(IMPORT, new Set([IMPORT]))).toBe(false);
    expect(isExplicitImport('lore', new Set())).toBe(false);
    expect(versionMessageIds(JSON.stringify(version('x#v1', 2)))).toEqual([
      'x#v1-0@example.org',
      'x#v1-0@example.org',
      'x#v1-1@example.org',
      'x#v1-2@example.org',
    ]);
    expect(versionMessageIds('{"not":"a version"}')).toEqual([]);
    expect(
      importTimeOf(
        ['a', 'b'],
        new Map([
          ['b', '2024-06-02T00:00:00Z'],
          ['c', '2024-06-09T00:00:00Z'],
        ]),
      ),
    ).toBe('2024-06-02T00:00:00Z');
    expect(insideWindow(null, null, null)).toBe(true);
    expect(insideWindow(SINCE, '2024-06-01T00:00:00Z', null)).toBe(false);
    expect(insideWindow(SINCE, '2024-06-01T00:00:00Z', '2024-06-19T00:00:00Z')).toBe(true);
    expect(insideWindow(SINCE, null, null)).toBe(false);
  });
});
