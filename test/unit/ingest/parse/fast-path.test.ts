/**
 * The fast MIME path must give exactly what simpleParser gives. Checked on a spread sample of the
 * real nvdimm archive (every 20th message, ~750) plus git's and patchwork's test mails.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { splitMbox } from '../../../../ingest/sources/mbox-split.ts';
import { buildMessage, decodeMail } from '../../../../ingest/parse/message.ts';

const CORPUS = resolve('..', 'shared', 'corpus');
const ARCHIVE = resolve(CORPUS, 'lore-nvdimm', 'nvdimm.all.mboxrd.gz');

async function disagreements(raws: Buffer[]): Promise<{ fast: number; bad: string[] }> {
  let fast = 0;
  const bad: string[] = [];
  for (const raw of raws) {
    const f = await decodeMail(raw, 'auto');
    if (f.path !== 'fast') continue;
    fast++;
    const full = await decodeMail(raw, 'full');
    const a = buildMessage(raw, f);
    const b = buildMessage(raw, full);
    if (f.text !== full.text || JSON.stringify(a) !== JSON.stringify(b)) bad.push(a.messageId);
  }
  return { fast, bad };
}

describe.skipIf(!existsSync(ARCHIVE))('fast MIME path agrees with simpleParser on the nvdimm archive', () => {
  it('every 20th message', async () => {
    const all = splitMbox(gunzipSync(readFileSync(ARCHIVE)));
    const sample = all.filter((_, i) => i % 20 === 0);
    const { fast, bad } = await disagreements(sample);
    expect(bad).toEqual([]);
    // The fast path is what makes ingest fast; most of the archive must take it.
    expect(fast / sample.length).toBeGreaterThan(0.9);
  }, 60_000);
});

describe.skipIf(!existsSync(CORPUS))('fast MIME path agrees on git and patchwork test mails', () => {
  it('t5100 and patchwork mail/ fuzz/', async () => {
    const raws: Buffer[] = [];
    const t5100 = resolve(CORPUS, 'git-mailinfo', 't5100');
    for (const f of ['sample.mbox', 'rfc2047-samples.mbox', 'quoted-cr.mbox'])
      raws.push(...splitMbox(readFileSync(resolve(t5100, f))));
    for (const sub of ['mail', 'fuzz']) {
      const dir = resolve(CORPUS, 'patchwork', sub);
      for (const f of readdirSync(dir)) raws.push(readFileSync(resolve(dir, f)));
    }
    const { fast, bad } = await disagreements(raws);
    expect(bad).toEqual([]);
    expect(fast).toBeGreaterThan(20);
  });
});
