/**
 * `daxbot series am` against `b4 am` (must-show 7 of issue 11) on a spread sample of two real
 * lists: every 8th patch thread of the nvdimm archive and of a year of linux-xfs, partial series
 * included (threads where the list got only some of the patches: b4 writes those with a warning,
 * and so must we). Each thread mbox goes to `b4 -n am -t -m THREAD -o DIR` (Debian's b4, offline;
 * -t is current b4's default) and, through the real command line in this process, to
 * `daxbot ingest --mbox THREAD` + `daxbot series am` on a fresh store; the two mboxes must be
 * byte for byte the same for >= 98% of each archive's threads. b4's outputs are cached in
 * var/cache/b4-compare/ by thread; from an empty cache b4 runs two at a time (~0.6 s a thread).
 * Every thread of both archives: `npm run bench -- b4`.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { archives, b4Available, type ArchiveName } from '../helpers/b4.ts';
import { compareArchive, describeMismatch, summarize } from '../helpers/b4-am-compare.ts';

const EVERY = 8;

describe.skipIf(!b4Available())('series am vs b4 am', () => {
  for (const archive of Object.keys(archives) as ArchiveName[]) {
    it.skipIf(!existsSync(archives[archive]))(
      `${archive}: the same am mbox for >= 98% of every ${EVERY}th patch thread`,
      { timeout: 900_000 },
      async () => {
        const results = await compareArchive(archive, EVERY);
        const s = summarize(results);
        console.log(
          `b4 compare ${archive}: ${s.same}/${s.compared} threads the same (${(s.rate * 100).toFixed(1)}%); ` +
            `partial series ${s.partialSame}/${s.partial} the same; b4 crashed on ${s.byVerdict['b4-crashed']}`,
        );
        for (const c of results) if (c.result.verdict !== 'same') console.log(describeMismatch(c));
        expect(s.compared).toBeGreaterThanOrEqual(archive === 'nvdimm' ? 140 : 85);
        // The sample holds partial series, so they are part of the figure.
        expect(s.partial).toBeGreaterThan(0);
        expect(s.rate).toBeGreaterThanOrEqual(0.98);
      },
    );
  }
});
