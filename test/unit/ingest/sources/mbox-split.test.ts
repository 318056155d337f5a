import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MboxSplitter, isFromLine, splitMbox } from '../../../../ingest/sources/mbox-split.ts';
import { expectGolden } from '../../../helpers/golden.ts';

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = join(here, '..', '..', '..', 'fixtures', 'sources');
const repoRoot = resolve(here, '..', '..', '..', '..');
const t5100 = resolve(repoRoot, '..', 'shared', 'corpus', 'git-mailinfo', 't5100');

function bodyOf(msg: Buffer): string {
  const text = msg.toString('latin1');
  return text.slice(text.indexOf('\n\n') + 2);
}

describe('isFromLine', () => {
  it.each([
    ['From mboxrd@z Thu Jan  1 00:00:00 1970', true],
    ['From 1234567890abcdef1234567890abcdef12345678 Mon Sep 17 00:00:00 2001', true],
    ['From bda@mnsspb.ru Wed Nov 12 17:54:41 2008', true],
    ['From bob@example.com Thu, 1 Jan 2015 10:20:30 +0000', true],
    ['From MAILER-DAEMON Fri Jul  8 12:08:34 2011 +0200', true],
    ['From not mangled but this line should have been escaped', false],
    ['From: Alice <alice@example.com>', false],
    ['>From mboxrd@z Thu Jan  1 00:00:00 1970', false],
  ])('%s → %s', (line, expected) => {
    expect(isFromLine(line)).toBe(expected);
  });
});

describe('splitMbox', () => {
  const sample = readFileSync(join(fixtures, 'sample.mboxrd'));

  it('splits both separator forms, un-quotes mboxrd and drops the separating blank line', () => {
    const msgs = splitMbox(sample);
    expect(msgs).toHaveLength(3);
    expect(bodyOf(msgs[0]!)).toBe(
      'From the start\n>From quoted twice\nFrom is not a separator here\n >From indented stays\n',
    );
    // git format-patch output has no blank line before the next From_: nothing is stripped.
    expect(msgs[1]!.toString().endsWith('-- \n2.39.5\n')).toBe(true);
    expect(msgs[2]!.toString().endsWith('\n\nreply\n')).toBe(true);
    expectGolden(
      'sources/split-sample',
      msgs.map((m) => ({
        bytes: m.length,
        firstLine: m.toString().split('\n')[0],
        lastLine: m.toString().trimEnd().split('\n').pop(),
      })),
    );
  });

  it('keeps CRLF line ends and a final message without newline', () => {
    const msgs = splitMbox(readFileSync(join(fixtures, 'crlf.mbox')));
    expect(msgs.map((m) => m.toString())).toEqual([
      'From: C <c@example.com>\r\nSubject: crlf one\r\n\r\nFrom crlf\r\n',
      'From: C <c@example.com>\r\nSubject: crlf two\r\n\r\nno final newline',
    ]);
  });

  it('gives the same result whatever the chunking, with exact offsets', () => {
    const whole = splitMbox(sample);
    for (const size of [1, 7, 64, 100_000]) {
      const splitter = new MboxSplitter();
      const out = [];
      for (let i = 0; i < sample.length; i += size) out.push(...splitter.push(sample.subarray(i, i + size)));
      out.push(...splitter.end());
      expect(out.map((m) => m.raw)).toEqual(whole);
      for (const m of out) expect(sample.subarray(m.offset, m.offset + 5).toString()).toBe('From ');
      expect(out[out.length - 1]!.end).toBe(sample.length);
    }
  });

  it('resumes at an offset', () => {
    const whole = new MboxSplitter();
    const all = [...whole.push(sample), ...whole.end()];
    const second = all[1]!;
    const resumed = new MboxSplitter(second.offset);
    const rest = [...resumed.push(sample.subarray(second.offset)), ...resumed.end()];
    expect(rest).toEqual(all.slice(1));
  });

  it('returns nothing for an empty buffer and a bare message for one without From_ line', () => {
    expect(splitMbox(Buffer.alloc(0))).toEqual([]);
    expect(splitMbox(Buffer.from('Subject: x\n\nbody\n')).map(String)).toEqual(['Subject: x\n\nbody\n']);
  });
});

describe.skipIf(!existsSync(t5100))('splitMbox on git mailsplit test data', () => {
  it('splits sample.mbox into 18 and rfc2047-samples.mbox into 11 like git mailsplit', () => {
    expect(splitMbox(readFileSync(join(t5100, 'sample.mbox')))).toHaveLength(18);
    expect(splitMbox(readFileSync(join(t5100, 'rfc2047-samples.mbox')))).toHaveLength(11);
    expect(splitMbox(readFileSync(join(t5100, 'quoted-cr.mbox')))).toHaveLength(2);
  });

  it('un-quotes sample.mboxrd like git mailsplit --mboxrd', () => {
    const msgs = splitMbox(readFileSync(join(t5100, 'sample.mboxrd')));
    expect(msgs).toHaveLength(2);
    // git keeps the blank line that separates messages; we drop it (public-inbox adds it as framing).
    expect(`${bodyOf(msgs[0]!)}\n`).toBe(readFileSync(join(t5100, '0001mboxrd'), 'latin1'));
    expect(`${bodyOf(msgs[1]!)}\n`).toBe(readFileSync(join(t5100, '0002mboxrd'), 'latin1'));
  });
});
