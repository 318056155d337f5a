import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { assembleSeries, newestVersion } from '../../../../ingest/series/assemble.ts';
import { formatAmDate } from '../../../../ingest/series/am-date.ts';
import { renderAmMbox, renderAmMessage, type AmInput } from '../../../../ingest/series/am-mbox.ts';
import { loadMbox } from '../../../helpers/b4.ts';

/*
 * The am-ready mbox is b4 0.12's (Debian's b4, the one test/integration/b4-compare.test.ts and
 * b4-samples.test.ts run). b4's own reference outputs in corpus b4/samples come from a later b4;
 * where both versions write the same bytes they are checked here. The later b4 differs in three
 * ways: no `---` before a diff that follows the trailers directly, follow-up trailers with junk in
 * the address (`a@b<mailto:a@b>`, `Name [corp] <a@b>`) accepted, and trailers of a patch without
 * `diff --git` put before its diff rather than after.
 */
const samples = path.resolve(import.meta.dirname, '..', '..', '..', '..', '..', 'shared', 'corpus', 'b4', 'samples');

describe.skipIf(!existsSync(samples))('renderAmMbox vs b4 reference outputs', () => {
  for (const src of ['non-git-patch-with-comments', 'with-diffstat']) {
    it(`${src} -> defaults`, async () => {
      const { msgs, raws } = await loadMbox(path.join(samples, `trailers-followup-${src}.mbox`));
      const v = newestVersion(assembleSeries(msgs, { linkHistory: false }));
      expect(v).not.toBeNull();
      if (!v) return;
      const out = (await renderAmMbox(v, raws)).toString('utf8');
      expect(out).toBe(readFileSync(path.join(samples, `trailers-followup-${src}-ref-defaults.txt`), 'utf8'));
    });
  }
});

function input(o: Partial<AmInput> & { text: string }): AmInput {
  return {
    messageId: 'p1@example.org',
    fromName: 'Mia Author',
    fromAddress: 'mia@example.org',
    date: 'Wed,  2 Jun 2021 20:18:40 +0800',
    subject: '[PATCH] dax: fix',
    revision: null,
    counter: null,
    isRfc: false,
    followupTrailers: [],
    ...o,
  };
}

const PATCH = [
  'Fix it.',
  '',
  'Signed-off-by: Mia Author <mia@example.org>',
  '---',
  ' a.c | 1 +',
  '',
  'diff --git a/a.c b/a.c',
  '--- a/a.c',
  '+++ b/a.c',
  '@@ -1 +1,2 @@',
  ' a',
  '+b',
  '',
].join('\n');

describe('renderAmMessage (b4 0.12 details)', () => {
  it('quotes body lines that would read as mbox separators (mboxrd)', () => {
    const text = `From above description, we can see\n>From the quote\n\n${PATCH}`;
    const out = renderAmMessage(input({ text }));
    expect(out).toContain('\n>From above description, we can see\n>>From the quote\n');
    // Exactly one separator line: the message's own.
    expect(out.match(/^From /gm)).toEqual(['From ']);
  });

  it('prints the date as Python does and the sender as Python re-reads git mailinfo', () => {
    const out = renderAmMessage(input({ text: PATCH, fromName: 'Matthew Wilcox (Oracle)' }));
    expect(out).toContain('\nDate: Wed, 02 Jun 2021 20:18:40 +0800\n');
    expect(out).toContain('\nFrom: Matthew Wilcox <mia@example.org>\n');
    const dotted = renderAmMessage(input({ text: PATCH, fromName: 'Darrick J. Wong' }));
    expect(dotted).toContain('\nFrom: "Darrick J. Wong" <mia@example.org>\n');
  });

  it('keeps a follow-up trailer comment and skips one already there', () => {
    const followupTrailers = [
      { name: 'Acked-by', value: 'Ulf Hansson <ulf@example.org>', extinfo: ' # For MMC', fromMessageId: 'r1' },
      { name: 'signed-off-by', value: 'MIA AUTHOR <mia@example.org>', fromMessageId: 'r2' },
    ];
    const out = renderAmMessage(input({ text: PATCH, followupTrailers }));
    expect(out).toContain(
      '\nSigned-off-by: Mia Author <mia@example.org>\nAcked-by: Ulf Hansson <ulf@example.org> # For MMC\n---\n',
    );
  });
});

describe('formatAmDate', () => {
  it.each([
    ['Wed,  2 Jun 2021 20:18:40 +0800', 'Wed, 02 Jun 2021 20:18:40 +0800'],
    ['2 Jun 21 20:18 -0000', 'Wed, 02 Jun 2021 20:18:00 -0000'],
    ['Wed, 2 Jun 2021 20:18:40 GMT', 'Wed, 02 Jun 2021 20:18:40 +0000'],
    ['Thu, 3 Jun 2021 17:24:05 +0800 (CST)', 'Thu, 03 Jun 2021 17:24:05 +0800'],
    ['Wed, 2 Jun 2021 20:18:40 XYZ', 'Wed, 02 Jun 2021 20:18:40 -0000'],
    ['Wed, 31 Feb 2021 20:18:40 +0800', 'Wed, 31 Feb 2021 20:18:40 +0800'],
    ['garbage', 'garbage'],
  ])('%s -> %s', (value, expected) => {
    expect(formatAmDate(value)).toBe(expected);
  });
});
