import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { assembleThread, newestVersion, versionToTest } from '../../ingest/series/assemble.ts';
import { archivePath, b4Available, b4Selections, cutPatchThreads, ourSelection, sameSelection } from '../helpers/b4.ts';

/*
 * Our series assembly against `b4 am` on ~225 real threads of the nvdimm archive. Both pick the
 * newest revision in the thread (b4's default; daxbot's tester later prefers the newest complete
 * one, see versionToTest). b4's results are cached in var/cache/b4-compare/ by thread hash; from
 * an empty cache b4 runs two at a time (~0.4 s a thread).
 */
const ready = b4Available() && existsSync(archivePath);

describe.skipIf(!ready)('series assembly vs b4 am (nvdimm archive)', () => {
  it('selects the same patches as b4 for >= 98% of patch threads', { timeout: 300_000 }, async () => {
    const threads = await cutPatchThreads(210);
    expect(threads.length).toBeGreaterThanOrEqual(200);
    const b4 = await b4Selections(threads, 2);
    const mismatches: string[] = [];
    const crashed: string[] = [];
    let same = 0;
    for (const t of threads) {
      const theirs = b4.get(t.hash);
      if (!theirs) throw new Error(`no b4 result for ${t.rootId}`);
      if (theirs.crashed) {
        crashed.push(t.rootId);
        continue;
      }
      const ours = ourSelection(t);
      if (sameSelection(ours, theirs)) {
        same++;
        continue;
      }
      mismatches.push(
        [
          `thread <${t.rootId}> (${t.messages.length} messages, cache ${t.hash})`,
          `  ours: v${ours.revision ?? '-'} ${ours.messageIds.length} patches`,
          ...ours.messageIds.map((id, i) => `    ${ours.subjects[i] ?? ''} <${id}>`),
          `  b4:   v${theirs.revision ?? '-'} ${theirs.messageIds.length} patches`,
          ...theirs.messageIds.map((id, i) => `    ${theirs.subjects[i] ?? ''} <${id}>`),
        ].join('\n'),
      );
    }
    const compared = threads.length - crashed.length;
    const rate = same / compared;
    const covers = threads.filter((t) => t.messages.some((m) => m.subject.counter === 0 && !m.subject.isReply)).length;
    const rerolls = threads.filter((t) => t.messages.some((m) => m.subject.revision > 1)).length;
    const ndctl = threads.filter((t) => t.messages.some((m) => m.subject.project === 'ndctl')).length;
    console.log(
      `b4 compare: ${same}/${compared} threads match (${(rate * 100).toFixed(1)}%); ` +
        `threads with cover ${covers}, v2+ ${rerolls}, ndctl ${ndctl}; b4 0.12 crashed on ${crashed.length}`,
    );
    // daxbot tests the newest *complete* version; say how often that is not b4's pick.
    const differ = threads.filter((t) => {
      const vs = assembleThread(t.thread);
      return newestVersion(vs)?.key !== versionToTest(vs)?.key;
    }).length;
    console.log(`newest complete version differs from the newest (b4's pick) in ${differ} threads`);
    for (const id of crashed) console.log(`b4 crashed (not compared): <${id}>`);
    for (const m of mismatches) console.log(m);
    expect(compared).toBeGreaterThanOrEqual(200);
    expect(rate).toBeGreaterThanOrEqual(0.98);
  });
});
