/**
 * The whole real nvdimm archive (14,925 messages) through the real parser, store and series
 * assembly: nothing crashes, every delivery is stored, quarantined with a reason, or recorded
 * as a re-sighting, and the duplicate Message-IDs are all there.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../bot/log.ts';
import { duplicateDeliveries, messageCounts, quarantineReasons } from '../../bot/store/messages.ts';
import { openStore, type Store } from '../../bot/store/store.ts';
import { ingestSource } from '../../bot/intake/ingest.ts';
import { refreshSeries } from '../../bot/intake/refresh-series.ts';
import { realIngestDeps } from '../../bot/intake/run-ingest.ts';
import { createMboxSource } from '../../ingest/sources/mbox/index.ts';

const ARCHIVE = resolve('..', 'shared', 'corpus', 'lore-nvdimm', 'nvdimm.all.mboxrd.gz');

describe.skipIf(!existsSync(ARCHIVE))('ingest of the real nvdimm archive', () => {
  const dir = mkdtempSync(join(tmpdir(), 'daxbot-archive-'));
  let store: Store | undefined;
  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores or quarantines all 14,925 messages, records the 15 duplicate Message-IDs, and assembles series', async () => {
    store = await openStore(join(dir, 'db.sqlite'));
    const log = silentLogger();
    const source = createMboxSource({ kind: 'mbox', name: 'archive', path: ARCHIVE, schedule: '* * * * *' });
    const started = Date.now();
    const report = await ingestSource(source, realIngestDeps(store, log));
    await source.close();
    const ingestMs = Date.now() - started;
    expect(report.messages).toBe(14_925);

    const counts = await messageCounts(store.db);
    // Every delivery accounted for: a kept row (parsed or quarantined) or a byte-identical re-sighting.
    expect(counts.total + counts.sightings).toBe(14_925);
    expect(counts.ok + counts.quarantined).toBe(counts.total);
    const reasons = await quarantineReasons(store.db);
    for (const r of reasons) expect(r.reason.length).toBeGreaterThan(0);
    const dups = await duplicateDeliveries(store.db);
    expect(dups.length).toBe(15);

    const t0 = Date.now();
    const series = await refreshSeries(store, { now: new Date(), log });
    const assembleMs = Date.now() - t0;
    expect(series.versions).toBeGreaterThan(1000);
    expect(series.complete).toBeGreaterThan(900);

    // Re-polling the same file reads nothing new: the checkpoint holds.
    const again = createMboxSource({ kind: 'mbox', name: 'archive', path: ARCHIVE, schedule: '* * * * *' });
    const second = await ingestSource(again, realIngestDeps(store, log));
    await again.close();
    expect(second.messages).toBe(0);

    console.log(
      `archive: ${report.messages} messages in ${(ingestMs / 1000).toFixed(1)} s (${Math.round(report.messages / (ingestMs / 1000))}/s); ` +
        `stored ${counts.ok}, quarantined ${counts.quarantined} [${reasons.map((r) => `${r.reason}: ${r.count}`).join('; ')}], ` +
        `duplicate Message-IDs ${dups.length} (${counts.duplicateIds} kept copies, ${counts.sightings} identical re-sightings); ` +
        `${series.threads} threads, ${series.series} series, ${series.versions} versions, ${series.complete} complete; assembly ${assembleMs} ms`,
    );
  }, 600_000);
});
