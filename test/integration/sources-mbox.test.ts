import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../bot/log.ts';
import { createMboxSource } from '../../ingest/sources/mbox/index.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const archive = resolve(repoRoot, '..', 'shared', 'corpus', 'lore-nvdimm', 'nvdimm.all.mboxrd.gz');

describe.skipIf(!existsSync(archive))(
  'mbox source on the real nvdimm archive (skipped when the corpus is absent)',
  () => {
    it('reads all 14,925 messages in batches, then nothing more', async () => {
      const source = createMboxSource({ kind: 'mbox', name: 'nvdimm', path: archive, schedule: '' });
      const ctx = { log: silentLogger(), batchSize: 1000 };
      const started = performance.now();
      let checkpoint: string | null = null;
      let count = 0;
      let bytes = 0;
      let polls = 0;
      let withMessageId = 0;
      for (;;) {
        const r = await source.poll(checkpoint, ctx);
        polls++;
        count += r.messages.length;
        for (const m of r.messages) {
          bytes += m.raw.length;
          if (/^Message-ID:/im.test(m.raw.subarray(0, 16384).toString('latin1'))) withMessageId++;
        }
        checkpoint = r.nextCheckpoint;
        if (!r.more) break;
      }
      const seconds = (performance.now() - started) / 1000;
      console.log(
        `mbox source: ${count} messages, ${(bytes / 1e6).toFixed(1)} MB in ${seconds.toFixed(2)} s ` +
          `(${Math.round(count / seconds)} msgs/s, ${polls} polls, rss ${Math.round(process.memoryUsage().rss / 1e6)} MB)`,
      );
      expect(count).toBe(14_925);
      expect(withMessageId).toBe(14_925);
      const after = await source.poll(checkpoint, ctx);
      expect(after.messages).toEqual([]);
      expect(after.more).toBe(false);
      await source.close();
    }, 120_000);
  },
);
