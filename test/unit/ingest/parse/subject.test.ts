import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseSubject, seriesMarker, revisionOf, splitPrefixes } from '../../../../ingest/parse/subject.ts';

const EXPECTATIONS = resolve('..', 'shared', 'corpus', 'patchwork', 'subject-expectations.json');

describe('parseSubject: hand-written cases', () => {
  const cases: Array<[string, Partial<ReturnType<typeof parseSubject>>]> = [
    [
      '[PATCH v3 02/13] mm: fix foo',
      { subject: 'mm: fix foo', revision: 3, counter: 2, expected: 13, isPatch: true, isReply: false, project: null },
    ],
    [
      '[ndctl PATCH v2 3/5] ndctl: add bar',
      {
        subject: 'ndctl: add bar',
        revision: 2,
        counter: 3,
        expected: 5,
        project: 'ndctl',
        prefixes: ['ndctl', 'patch', 'v2', '3/5'],
      },
    ],
    ['[RFC PATCH] dax: idea', { isRfc: true, isPatch: true, revision: 1, counter: 1, expected: 1 }],
    ['[PATCH RESEND] nvdimm: x', { isResend: true, isPatch: true }],
    ['[RESEND PATCH v2] nvdimm: x', { isResend: true, revision: 2 }],
    ['[PATCH 0/7] cover', { counter: 0, expected: 7, subject: 'cover' }],
    ['[PATCH 1 of 2] hg style', { counter: 1, expected: 2, subject: 'hg style' }],
    [
      '[PATCH v2 net-next 1/2] net: y',
      { revision: 2, counter: 1, expected: 2, project: null, prefixes: ['patch', 'v2', 'net-next', '1/2'] },
    ],
    [
      'Re: [PATCH v4 4/9] dax: z',
      { isReply: true, isPatch: true, revision: 4, counter: 4, expected: 9, subject: 'dax: z' },
    ],
    ['RE: [PATCH] a', { isReply: true, subject: 'a' }],
    ['Aw: [PATCH] a', { isReply: true }],
    ['Fwd: [PATCH] a', { isReply: true }],
    ['Re: Re: RE: a', { isReply: true, subject: 'a', isPatch: false }],
    ['[PATCH] [ndctl] util: w', { project: 'ndctl', prefixes: ['patch', 'ndctl'], subject: 'util: w' }],
    ['[PATCH -next] fs: v', { project: null, prefixes: ['patch', '-next'] }],
    ['[PATCHv2] x', { revision: 2, isPatch: true }],
    ['[PATCH V2] x', { revision: 2 }],
    ['[PATCH v2RESEND] x', { revision: 2, isResend: true }],
    ['[PATCH 6.1 3/4] stable backport', { counter: 3, expected: 4, project: null, revision: 1 }],
    ['[PATCH]   folded \n\t subject  ', { subject: 'folded subject', raw: '[PATCH] folded subject' }],
    ['[PATCH] rewrite [a-z] regexes', { subject: 'rewrite [a-z] regexes' }],
    ['[PATCH v5 01/10] [media] foo [bar]', { subject: 'foo [bar]', revision: 5, counter: 1, expected: 10 }],
    ['[cxl-cli PATCH 2/2] cxl: list', { project: 'cxl-cli' }],
    ['[daxctl PATCH] daxctl: reconfigure', { project: 'daxctl' }],
    ['plain text subject', { isPatch: false, isReply: false, prefixes: [], subject: 'plain text subject' }],
    ['[GIT PULL] nvdimm for 6.5', { isPatch: false, prefixes: ['git', 'pull'] }],
    ['', { subject: '', isPatch: false }],
    ['[PATCH 3/2] extra patch', { counter: 1, expected: 1 }],
  ];
  for (const [input, want] of cases) {
    it(JSON.stringify(input), () => {
      expect(parseSubject(input)).toMatchObject(want);
    });
  }

  it('takes the project list from the caller', () => {
    expect(parseSubject('[ndctl PATCH] a', { projects: ['pmdk'] }).project).toBeNull();
    expect(parseSubject('[pmdk PATCH] a', { projects: ['pmdk'] }).project).toBe('pmdk');
  });
});

// patchwork's SubjectTest tables, transcribed as data in the corpus.
const Row4 = z.tuple([z.string(), z.array(z.string()).nullable(), z.string(), z.array(z.string())]);
const Expectations = z.object({
  clean_subject: z.array(Row4),
  is_reply_subject_true: z.array(z.string()),
  split_prefixes: z.array(z.tuple([z.string(), z.array(z.string())])),
  series_marker: z.array(z.tuple([z.array(z.string()), z.number().nullable(), z.number().nullable()])),
  version: z.array(z.tuple([z.string(), z.array(z.string()), z.number()])),
});

describe.skipIf(!existsSync(EXPECTATIONS))('parseSubject against patchwork SubjectTest', () => {
  const exp = Expectations.parse(JSON.parse(existsSync(EXPECTATIONS) ? readFileSync(EXPECTATIONS, 'utf8') : '{}'));

  it('clean_subject: same name once every bracket group is dropped; kept prefixes are in ours', () => {
    // Deliberate difference: patchwork keeps non-PATCH prefixes in the name ("[RFC] meep"); our
    // `subject` drops every leading bracket group and keeps the words in `prefixes` instead.
    for (const [input, , name, kept] of exp.clean_subject) {
      const got = parseSubject(input);
      expect(got.subject, input).toBe(name.replace(/^(?:\[[^\]]*\]\s*)+/, ''));
      for (const k of kept) for (const w of splitPrefixes(k)) expect(got.prefixes, input).toContain(w);
    }
  });

  it('is_reply_subject', () => {
    for (const s of exp.is_reply_subject_true) expect(parseSubject(`${s}`).isReply, s).toBe(true);
    expect(parseSubject('meep').isReply).toBe(false);
  });

  it('split_prefixes (ours are lower-cased)', () => {
    for (const [input, want] of exp.split_prefixes)
      expect(splitPrefixes(input)).toEqual(want.map((w) => w.toLowerCase()));
  });

  it('series_marker', () => {
    for (const [tokens, index, total] of exp.series_marker) {
      const got = seriesMarker(tokens.map((t) => t.toLowerCase()));
      expect(got, tokens.join(' ')).toEqual(index === null ? null : { counter: index, expected: total });
    }
  });

  it('version', () => {
    for (const [rest, tokens, want] of exp.version)
      expect(
        revisionOf(
          tokens.map((t) => t.toLowerCase()),
          rest,
        ),
        `${rest} ${tokens.join(',')}`,
      ).toBe(want);
  });
});
