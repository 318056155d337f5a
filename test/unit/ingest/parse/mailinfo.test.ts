/**
 * Our split of a mail against git's own expected `git mailinfo` output (git's t5100 data in the
 * shared corpus: for sample.mbox message N, infoN = author/email/subject, msgN = commit message,
 * patchN = what follows the patch break). Every mismatch must be in KNOWN_DIFFERENCES below, and
 * the match rate is asserted.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { splitMbox } from '../../../../ingest/sources/mbox-split.ts';
import { decodeMail, parseMessage } from '../../../../ingest/parse/message.ts';
import { splitPatchBody } from '../../../../ingest/parse/diff.ts';

const DIR = resolve('..', 'shared', 'corpus', 'git-mailinfo', 't5100');

/**
 * Deliberate or accepted differences from git mailinfo:
 * - 0001 author: mailinfo keeps RFC 822 comments in the name ("A (zzz) U Thor (Comment)");
 *   mailparser's address parser drops them ("A U Thor"). Display names only; the address matches.
 * - 0015 author/email: an in-body `From: bogosity` (no address) makes mailinfo print an empty
 *   author; we keep the mail's From, which is what a bot should credit.
 * - comment author: same comment handling as 0001.
 * - rfc2047-0004 author: the encoded word sits in an RFC 822 comment, dropped like 0001's.
 * - 0005 patch: the mail is ISO-8859-1; mailinfo -u re-codes only the message and leaves the patch
 *   bytes raw, we decode the whole text/plain part to UTF-8 ("Kågedal" in the signature).
 */
const KNOWN_DIFFERENCES = new Set<string>([
  '0001:author',
  '0005:patch',
  'rfc2047-0004:author',
  '0015:author',
  '0015:email',
  'comment.in:author',
]);

function field(info: string, key: string): string {
  return new RegExp(`^${key}: ?(.*)$`, 'm').exec(info)?.[1] ?? '';
}

async function compareInfo(id: string, raw: Buffer, info: string): Promise<string[]> {
  const r = await parseMessage(raw);
  if (!r.ok) return [`${id}:quarantined`];
  const m = r.message;
  const out: string[] = [];
  const author = m.author ?? m.from;
  if ((author.name || author.address) !== field(info, 'Author')) out.push(`${id}:author`);
  if (author.address !== field(info, 'Email')) out.push(`${id}:email`);
  if ((m.commitSubject ?? m.subject.subject) !== field(info, 'Subject')) out.push(`${id}:subject`);
  return out;
}

const present = existsSync(DIR);
const read = (name: string): string => readFileSync(resolve(DIR, name), 'utf8');

describe.skipIf(!present)('git mailinfo t5100 samples', () => {
  it('sample.mbox: author, e-mail, subject, message and patch split', async () => {
    const msgs = splitMbox(readFileSync(resolve(DIR, 'sample.mbox')));
    expect(msgs).toHaveLength(18);
    const mismatches: string[] = [];
    let checks = 0;
    for (const [i, raw] of msgs.entries()) {
      const n = String(i + 1).padStart(4, '0');
      mismatches.push(...(await compareInfo(n, raw, read(`info${n}`))));
      const split = splitPatchBody((await decodeMail(raw)).text);
      if (split.message.trimEnd() !== read(`msg${n}`).trimEnd()) mismatches.push(`${n}:msg`);
      if ((split.patch ?? '').trimEnd() !== read(`patch${n}`).trimEnd()) mismatches.push(`${n}:patch`);
      checks += 5;
      // --scissors variants exist for some messages: same comparison with scissors on.
      if (existsSync(resolve(DIR, `msg${n}--scissors`))) {
        const s = splitPatchBody((await decodeMail(raw)).text, { scissors: true });
        if (s.message.trimEnd() !== read(`msg${n}--scissors`).trimEnd()) mismatches.push(`${n}:msg--scissors`);
        if ((s.patch ?? '').trimEnd() !== read(`patch${n}--scissors`).trimEnd())
          mismatches.push(`${n}:patch--scissors`);
        checks += 2;
      }
      if (existsSync(resolve(DIR, `msg${n}--no-inbody-headers`))) {
        const s = splitPatchBody((await decodeMail(raw)).text, { inbodyHeaders: false });
        if (s.message.trimEnd() !== read(`msg${n}--no-inbody-headers`).trimEnd())
          mismatches.push(`${n}:msg--no-inbody-headers`);
        checks += 1;
      }
    }
    expect(mismatches.filter((m) => !KNOWN_DIFFERENCES.has(m))).toEqual([]);
    expect(1 - mismatches.length / checks).toBeGreaterThanOrEqual(0.95);
  });

  it('rfc2047-samples.mbox: decoded author and subject; no message, no patch', async () => {
    const msgs = splitMbox(readFileSync(resolve(DIR, 'rfc2047-samples.mbox')));
    expect(msgs).toHaveLength(11);
    const mismatches: string[] = [];
    for (const [i, raw] of msgs.entries()) {
      const n = String(i + 1).padStart(4, '0');
      const info = read(`rfc2047-info-${n}`);
      const r = await parseMessage(raw);
      expect(r.ok).toBe(true);
      if (!r.ok) continue;
      if (field(info, 'Author') !== '' && (r.message.from.name || r.message.from.address) !== field(info, 'Author'))
        mismatches.push(`rfc2047-${n}:author`);
      if (r.message.subject.subject !== field(info, 'Subject')) mismatches.push(`rfc2047-${n}:subject`);
      expect(r.message.diff).toBeNull();
    }
    expect(mismatches.filter((m) => !KNOWN_DIFFERENCES.has(m))).toEqual([]);
  });

  it('From: header variants (info-from, quoted-string, comment)', async () => {
    const mismatches: string[] = [];
    for (const name of ['info-from', 'quoted-string', 'comment']) {
      const raw = readFileSync(resolve(DIR, `${name}.in`));
      mismatches.push(...(await compareInfo(`${name}.in`, raw, read(`${name}.expect`))));
    }
    expect(mismatches.filter((m) => !KNOWN_DIFFERENCES.has(m))).toEqual([]);
  });

  it('sample.mboxrd: >From unescaping gives the expected messages', async () => {
    const msgs = splitMbox(readFileSync(resolve(DIR, 'sample.mboxrd')));
    expect(msgs).toHaveLength(2);
    for (const [i, raw] of msgs.entries()) {
      const split = splitPatchBody((await decodeMail(raw)).text);
      expect(split.message.trimEnd()).toBe(read(`000${i + 1}mboxrd`).trimEnd());
    }
  });

  it('quoted-cr.mbox: base64 body with CRLF parses; author and subject match', async () => {
    const msgs = splitMbox(readFileSync(resolve(DIR, 'quoted-cr.mbox')));
    expect(msgs).toHaveLength(2);
    const info = read('quoted-cr-info');
    const first = msgs[0];
    expect(first).toBeDefined();
    if (first) expect(await compareInfo('quoted-cr', first, info)).toEqual([]);
  });

  it('NUL bytes in the body do not stop parsing', async () => {
    const r = await parseMessage(readFileSync(resolve(DIR, 'nul-b64.in')));
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.message.files).toEqual(['file']);
    // nul-plain is a bare body under an mbox From_ line, with no header field at all: git am
    // takes its diff, but a bot cannot thread or answer it, so it is quarantined (never thrown).
    expect(await parseMessage(readFileSync(resolve(DIR, 'nul-plain')))).toEqual({
      ok: false,
      reason: 'no header fields',
      messageId: null,
    });
  });
});
