import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseMessage } from '../../../../ingest/parse/message.ts';
import type { ParsedMessage } from '../../../../ingest/parse/types.ts';
import { assembleSeries } from '../../../../ingest/series/assemble.ts';
import type { SeriesVersion } from '../../../../ingest/series/types.ts';
import { splitMbox } from '../../../../ingest/sources/mbox-split.ts';

/*
 * Patchwork's series tests (corpus patchwork/series-expectations.json): how many series each
 * thread mbox yields, with how many patches and covers each. We assemble as b4 does, so where
 * patchwork and b4 disagree we follow b4; those cases are listed in KNOWN with the reason and
 * what we produce instead.
 */
const corpus = path.resolve(import.meta.dirname, '..', '..', '..', '..', '..', 'shared', 'corpus', 'patchwork');
const expectationsFile = path.join(corpus, 'series-expectations.json');

interface Expectation {
  test: string;
  mbox: string;
  series_sizes: Record<string, number[]>;
  received_all: boolean | null;
}

function readExpectations(): Expectation[] {
  const raw: unknown = JSON.parse(readFileSync(expectationsFile, 'utf8'));
  if (!Array.isArray(raw)) throw new Error('series-expectations.json: not a list');
  return raw.flatMap((e: unknown): Expectation[] => {
    if (typeof e !== 'object' || e === null) return [];
    const test = Reflect.get(e, 'test');
    const mbox = Reflect.get(e, 'mbox');
    const sizes = Reflect.get(e, 'series_sizes');
    const all = Reflect.get(e, 'received_all');
    if (typeof test !== 'string' || typeof mbox !== 'string' || typeof sizes !== 'object' || sizes === null) return [];
    const series_sizes: Record<string, number[]> = {};
    for (const [k, v] of Object.entries(sizes))
      if (Array.isArray(v)) series_sizes[k] = v.filter((n): n is number => typeof n === 'number');
    return [{ test, mbox, series_sizes, received_all: typeof all === 'boolean' ? all : null }];
  });
}

/** Intended differences: patchwork's expectation -> ours, and why. */
const KNOWN: Record<string, { patches: number[]; covers: number[]; why: string }> = {
  'BaseSeriesTest.test_no_references': {
    patches: [1, 1],
    covers: [0, 0],
    why: 'patches sent without In-Reply-To/References are separate threads; b4 (and lore) never join threads by sender and time',
  },
  'BaseSeriesTest.test_no_references_no_cover': {
    patches: [1, 1],
    covers: [0, 0],
    why: 'as above: no threading headers, so two threads of one patch each',
  },
  'RevisedSeriesTest.test_unlabeled_noreferences': {
    patches: [1, 1, 1, 1],
    covers: [0, 0, 0, 0],
    why: 'two unlabelled revisions sent without threading headers: four lone patches to b4',
  },
  'RevisedSeriesTest.test_unnumbered': {
    patches: [1],
    covers: [1],
    why: 'b4 puts an unprefixed patch replying to a cover at slot 1 of that series, where the numbered 1/2 already sits (first wins); it is not a series of its own',
  },
  'RevisedSeriesTest.test_reply_nocover_noversion': {
    patches: [2],
    covers: [0],
    why: 'a re-sent 1/2 2/2 without vN in the same thread lands in the same slots (first copy wins); b4 only auto-numbers re-sent single [PATCH]es',
  },
};

async function assembleFile(file: string): Promise<SeriesVersion[]> {
  const msgs: ParsedMessage[] = [];
  for (const raw of splitMbox(readFileSync(file))) {
    const r = await parseMessage(raw);
    if (r.ok) msgs.push(r.message);
  }
  const vs = assembleSeries(msgs, { linkHistory: false });
  return vs.sort((a, b) => (a.firstDate ?? '').localeCompare(b.firstDate ?? '') || a.revision - b.revision);
}

describe.skipIf(!existsSync(expectationsFile))('patchwork series expectations', () => {
  const cases = existsSync(expectationsFile) ? readExpectations() : [];
  for (const e of cases) {
    const sizes = e.series_sizes;
    if (!sizes.patches) continue; // test_duplicated compares two imports; multiple-content-types has no sizes
    it(`${e.test} (${e.mbox})`, async () => {
      const vs = await assembleFile(path.join(corpus, e.mbox));
      const got = { patches: vs.map((v) => v.patches.length), covers: vs.map((v) => (v.coverMessageId ? 1 : 0)) };
      const known = KNOWN[e.test];
      if (known) {
        expect(got).toEqual({ patches: known.patches, covers: known.covers });
        return;
      }
      expect(got.patches).toEqual(sizes.patches);
      if (sizes.covers)
        expect(got.covers).toEqual(
          sizes.covers.length < got.covers.length
            ? [...sizes.covers, ...new Array<number>(got.covers.length - sizes.covers.length).fill(0)]
            : sizes.covers,
        );
      if (e.received_all !== null) expect(vs[0]?.complete).toBe(e.received_all);
    });
  }
});
