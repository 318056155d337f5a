import { decodeMail } from '../parse/message.ts';
import { splitPatchBody } from '../parse/diff.ts';
import { addressListOf, subjectOf } from '../parse/header-fields.ts';
import type { DecodedMail } from '../parse/mime-decoded.ts';
import type { FollowupTrailer, SeriesVersion } from './types.ts';
import { formatAmDate } from './am-date.ts';
import { withFollowupTrailers } from './am-body.ts';
import { readB4Subject } from './b4-subject.ts';

/*
 * The am-ready mbox as `b4 am` writes it, byte for byte as Debian's b4 0.12 does (checked on every
 * patch thread of two list archives, test/integration/b4-compare.test.ts): per patch, a
 * `From git@z` line, Subject/From/Date/Message-Id and MIME headers, then the body as b4 rebuilds
 * it (am-body.ts: the follow-up trailers appended to the trailer block), with body lines that
 * start with `From ` quoted as mboxrd does. Not offered: b4's configurable trailer-order, Cc
 * copying and Link trailers.
 */

export type RawLookup = ReadonlyMap<string, Buffer> | ((messageId: string) => Buffer | undefined);

export interface AmMboxOptions {
  /** Add the collected follow-up trailers (b4 default; `-T` turns it off). */
  addTrailers?: boolean;
  /** Your own `Name <address>`: added as the last Signed-off-by (b4 `-s`). */
  signOff?: string | null;
}

/** Everything one am message needs, already decoded. Pure rendering works from this. */
export interface AmInput {
  messageId: string;
  /** Decoded From as Name + address. */
  fromName: string;
  fromAddress: string;
  /** The Date header as sent. */
  date: string;
  /** The decoded Subject header. */
  subject: string;
  /** The text part holding the patch. */
  text: string;
  /** Revision to show, or null for none (b4 shows vN only when the sender wrote it, or on a partial reroll). */
  revision: number | null;
  /** k/n to show, or null for a lone patch without a counter. */
  counter: { k: number; n: number } | null;
  isRfc: boolean;
  followupTrailers: readonly FollowupTrailer[];
}

/** Python's whitespace (JavaScript's \s also takes U+FEFF, which b4 keeps in a subject). */
const PY_SPACE = '[\\t\\n\\v\\f\\r \\x1c-\\x1f\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const PY_SPACES = new RegExp(`${PY_SPACE}+`, 'g');
const PY_EDGES = new RegExp(`^${PY_SPACE}+|${PY_SPACE}+$`, 'g');
const pyStrip = (s: string): string => s.replace(PY_EDGES, '');

/** Renders the version's patches, in order, from their raw messages. */
export async function renderAmMbox(version: SeriesVersion, raws: RawLookup, opts: AmMboxOptions = {}): Promise<Buffer> {
  const get = typeof raws === 'function' ? raws : (id: string): Buffer | undefined => raws.get(id);
  const out: Buffer[] = [];
  for (const p of version.patches) {
    const raw = get(p.messageId);
    if (!raw) throw new Error(`raw message ${p.messageId} of ${version.key} is missing`);
    const d = await decodeMail(raw);
    out.push(Buffer.from(renderAmMessage(amInputOf(d, p.messageId, version, p.followupTrailers), opts), 'utf8'));
  }
  return Buffer.concat(out);
}

/** Reads what rendering needs from a decoded mail. */
export function amInputOf(
  d: DecodedMail,
  messageId: string,
  version: SeriesVersion,
  followupTrailers: readonly FollowupTrailer[],
): AmInput {
  const subject = pyStrip(subjectOf(d.headers).replace(PY_SPACES, ' '));
  const from = addressListOf(d.headers, 'from')[0] ?? { name: '', address: '' };
  const dateLine = d.headerLines.find((h) => h.key === 'date')?.line ?? '';
  const date = dateLine
    .replace(/^date:\s*/i, '')
    .replace(/\r?\n[ \t]+/g, ' ')
    .trim();
  const b = readB4Subject(subject);

  // b4 prefers a later part that holds the diff (patches sent as attachments).
  const withDiff = /^(---.*\n\+\+\+|GIT binary patch|diff --git \w\/\S+ \w\/\S+)/im;
  const text = withDiff.test(d.text) ? d.text : (d.patchParts.find((p) => withDiff.test(p)) ?? d.text);
  return {
    messageId,
    fromName: from.name,
    fromAddress: from.address,
    date,
    subject,
    text,
    revision: !b.revisionInferred || version.partialReroll ? version.revision : null,
    // As the sender wrote it: b4 keeps "[PATCH 4/3]" for an extra patch.
    counter: b.countersInferred ? null : { k: b.counter, n: b.expected },
    isRfc: b.rfc,
    followupTrailers,
  };
}

/** One message of the am mbox, separator line included. Pure. */
export function renderAmMessage(a: AmInput, opts: AmMboxOptions = {}): string {
  const text = a.text.replace(/\r\n/g, '\n');
  const split = splitPatchBody(text, { scissors: true });
  const cleanSubject = pyStrip(split.inbody.subject ?? mailinfoSubject(a.subject));
  let fromName = a.fromName;
  let fromAddress = a.fromAddress;
  if (split.inbody.from) {
    const m = /^(.*?)\s*<([^>]+)>\s*$/.exec(split.inbody.from.trim());
    fromName = m ? (m[1] ?? '').replace(/^"(.*)"$/, '$1') : '';
    fromAddress = m ? (m[2] ?? '') : split.inbody.from.trim();
  }
  const date = formatAmDate(split.inbody.date ?? a.date);

  let body = `${mailinfoMessage(text, split)}${split.patch ?? ''}`;
  if (opts.addTrailers ?? true) body = withFollowupTrailers(body, a.followupTrailers, opts.signOff ?? null);

  const prefix = ['PATCH'];
  if (a.isRfc) prefix.push('RFC');
  if (a.revision !== null) prefix.push(`v${a.revision}`);
  if (a.counter) prefix.push(`${a.counter.k}/${a.counter.n}`);
  const ascii = /^[\x00-\x7f]*$/.test(body);
  const headers = [
    wrapHeader('Subject', `[${prefix.join(' ')}] ${cleanSubject}`),
    `From: ${formatAddress(fromName, fromAddress)}`,
    wrapHeader('Date', date),
    `Message-Id: <${a.messageId}>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset="utf-8"',
    `Content-Transfer-Encoding: ${ascii ? '7bit' : '8bit'}`,
  ];
  // mboxrd: a body line that could be read as a separator gets one more `>` (`From ` → `>From `).
  const lines = body.split('\n').map((l) => l.replace(/[\r\n]*$/, '').replace(/^(>*From )/, '>$1'));
  return `From git@z Thu Jan  1 00:00:00 1970\n${headers.join('\n')}\n\n${lines.join('\n')}\n`;
}

/**
 * The commit message as git mailinfo writes it: every line up to the patch, blank lines before
 * the patch included (they decide whether b4 sees the trailers as a paragraph of their own).
 */
function mailinfoMessage(text: string, split: { message: string; patch: string | null }): string {
  if (split.message === '') return '';
  const before = split.patch === null ? text : text.slice(0, text.length - split.patch.length);
  const tail = /\n(?:[ \t]*\n)*$/.exec(before)?.[0] ?? '\n';
  return `${split.message}${tail}`;
}

/** git mailinfo's subject cleanup: leading `Re:` and `[...]` groups go. */
function mailinfoSubject(s: string): string {
  let out = s.replace(/^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g, '');
  for (;;) {
    const next = out.replace(/^(?:re:[ \t\n\v\f\r]*|\[[^\]]*\][ \t\n\v\f\r]*)/i, '');
    if (next === out) return out;
    out = next;
  }
}

/**
 * The From line as b4 writes it: git mailinfo's author name, read back by Python's address parser
 * (comments in parentheses and quote marks go, whitespace folds) and printed again, quoted when it
 * holds specials. A comma makes Python see two addresses, printed side by side unquoted.
 */
function formatAddress(name: string, address: string): string {
  let n = name;
  for (let prev = ''; prev !== n; ) {
    prev = n;
    n = n.replace(/\([^()]*\)/g, ' ');
  }
  n = n.replace(/"/g, '').replace(/\s+/g, ' ').trim();
  if (!n || n === address) return address;
  if (n.includes(',')) return `${n} <${address}>`;
  if (/[()<>@:;.[\]]/.test(n)) return `"${n.replace(/\\/g, '\\\\')}" <${address}>`;
  return `${n} <${address}>`;
}

/** b4 wraps long headers at 75 columns on spaces, never inside a word. */
function wrapHeader(name: string, value: string): string {
  const full = `${name}: ${value}`;
  if (full.length <= 75) return full;
  // Python's textwrap breaks on ASCII whitespace only.
  const words = `${name}:_${value}`.split(/[ \t\n\v\f\r]+/).filter((w) => w.length > 0);
  const lines: string[] = [];
  let cur = '';
  for (const w of words) {
    const indent = lines.length > 0 ? ' ' : '';
    if (cur === '') cur = indent + w;
    else if (cur.length + 1 + w.length <= 75) cur += ` ${w}`;
    else {
      lines.push(cur);
      cur = ` ${w}`;
    }
  }
  if (cur) lines.push(cur);
  return lines.join('\n').replace(':_', ': ');
}
