import { decodeMail } from '../parse/message.ts';
import { splitPatchBody } from '../parse/diff.ts';
import { addressListOf, subjectOf } from '../parse/header-fields.ts';
import { parseSubject } from '../parse/subject.ts';
import type { DecodedMail } from '../parse/mime-decoded.ts';
import type { FollowupTrailer, SeriesVersion } from './types.ts';

/*
 * The am-ready mbox as `b4 am` writes it (b4 at the snapshot of /work/shared/corpus/b4): per
 * patch, a `From git@z` line, Subject/From/Date/Message-Id and MIME headers, then the commit
 * message with the follow-up trailers appended to its trailer block (existing trailers first, new
 * ones in the order they were collected, your own Signed-off-by last), then the diff untouched.
 * Known differences: `[for the foo parts]`/`# comment` extras of follow-up trailers are dropped;
 * b4's configurable trailer-order and Cc copying are not offered.
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
  /** Revision to show, or null for none (b4 shows vN only when the sender wrote it, or on a reroll). */
  revision: number | null;
  /** k/n to show, or null for a lone patch without a counter. */
  counter: { k: number; n: number } | null;
  isRfc: boolean;
  followupTrailers: readonly FollowupTrailer[];
}

interface Trailer {
  name: string;
  value: string;
}

const DIFFSTAT_RE = /^\s*\d+ file.*\d+ (insertion|deletion)/im;

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
  const subject = subjectOf(d.headers).replace(/\s+/g, ' ').trim();
  const s = parseSubject(subject);
  const from = addressListOf(d.headers, 'from')[0] ?? { name: '', address: '' };
  const dateLine = d.headerLines.find((h) => h.key === 'date')?.line ?? '';
  const date = dateLine
    .replace(/^date:\s*/i, '')
    .replace(/\r?\n[ \t]+/g, ' ')
    .trim();
  const explicitRevision = s.revision !== 1 || s.prefixes.some((w) => /^(?:patch|rfc|resend)?v\d+/.test(w));
  const explicitCounter = s.prefixes.some((w) => /^\d{1,4}\/\d{1,4}$/.test(w)) || s.expected !== 1;
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
    revision: explicitRevision || version.revision !== s.revision || version.partialReroll ? version.revision : null,
    counter: explicitCounter ? { k: s.counter, n: s.expected } : null,
    isRfc: s.isRfc,
    followupTrailers,
  };
}

/** One message of the am mbox, separator line included. Pure. */
export function renderAmMessage(a: AmInput, opts: AmMboxOptions = {}): string {
  const split = splitPatchBody(a.text.replace(/\r\n/g, '\n'), { scissors: true });
  const cleanSubject = (split.inbody.subject ?? mailinfoSubject(a.subject)).trim();
  let fromName = a.fromName;
  let fromAddress = a.fromAddress;
  if (split.inbody.from) {
    const m = /^(.*?)\s*<([^>]+)>\s*$/.exec(split.inbody.from.trim());
    fromName = m ? (m[1] ?? '').replace(/^"(.*)"$/, '$1') : '';
    fromAddress = m ? (m[2] ?? '') : split.inbody.from.trim();
  }
  const date = split.inbody.date ?? a.date;

  let body = `${split.message.replace(/\n+$/, '')}\n${split.patch ?? ''}`;
  if (opts.addTrailers ?? true) body = withTrailers(body, a.followupTrailers, opts.signOff ?? null);

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
  const lines = body.split('\n').map((l) => l.replace(/[\r\n]*$/, ''));
  return `From git@z Thu Jan  1 00:00:00 1970\n${headers.join('\n')}\n\n${lines.join('\n')}\n`;
}

/** git mailinfo's subject cleanup: leading `Re:` and `[...]` groups go. */
function mailinfoSubject(s: string): string {
  let out = s.trim();
  for (;;) {
    const next = out.replace(/^(?:re:\s*|\[[^\]]*\]\s*)/i, '');
    if (next === out) return out;
    out = next;
  }
}

/** Python's formataddr with b4's quoting of names holding specials. */
function formatAddress(name: string, address: string): string {
  if (!name || name === address) return address;
  if (!name.startsWith('"') && /[()<>@,:;."[\]]/.test(name))
    return `"${name.replace(/(["\\])/g, '\\$1')}" <${address}>`;
  return `${name} <${address}>`;
}

/** b4 wraps long headers at 75 columns on spaces, never inside a word. */
function wrapHeader(name: string, value: string): string {
  const full = `${name}: ${value}`;
  if (full.length <= 75) return full;
  const words = `${name}:_${value}`.split(/\s+/).filter((w) => w.length > 0);
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

/** b4's find_trailers in body mode: every `Name: value` line, with `[extra]` lines attached. */
function splitTrailers(para: string): { trailers: (Trailer & { extinfo: string | null })[]; others: string[] } {
  const trailers: (Trailer & { extinfo: string | null })[] = [];
  const others: string[] = [];
  let wasTrailer = false;
  for (const line of para.split('\n')) {
    const m = /^\s*(\w\S+):\s+(\S.*)/.exec(line);
    if (m) {
      const lname = (m[1] ?? '').toLowerCase();
      if (lname === 'phone' || lname === 'email') continue;
      if (others.length > 0 && ['subject', 'date', 'from'].includes(lname)) continue;
      trailers.push({ name: m[1] ?? '', value: m[2] ?? '', extinfo: null });
      wasTrailer = true;
      continue;
    }
    const last = trailers[trailers.length - 1];
    if (line.length > 2 && wasTrailer && last && /^\s*\[[^\]]+\]\s*$/.test(line)) {
      last.extinfo = line;
      wasTrailer = false;
      continue;
    }
    wasTrailer = false;
    others.push(line);
  }
  return { trailers, others };
}

const same = (a: Trailer, b: Trailer): boolean =>
  a.name.toLowerCase() === b.name.toLowerCase() && a.value.toLowerCase() === b.value.toLowerCase();

/** Puts the new trailers under the existing ones and rebuilds the body around them, as b4 does. */
function withTrailers(text: string, followups: readonly FollowupTrailer[], signOff: string | null): string {
  let body = text.replace(/\r/g, '').replace(/^\n+|\n+$/g, '');
  let signature = '';
  const sig = body.lastIndexOf('\n-- \n');
  if (sig >= 0) {
    signature = body.slice(sig + 5);
    body = body.slice(0, sig).replace(/\n+$/, '');
  }
  let head = body;
  let basement = '';
  const sep = /^---\n/m.exec(body);
  if (sep) {
    head = body.slice(0, sep.index);
    basement = body.slice(sep.index + 4).replace(/\n+$/, '');
  } else if (body.includes('\ndiff ')) {
    const at = body.indexOf('\ndiff ');
    head = body.slice(0, at);
    basement = body.slice(at + 1).replace(/\n+$/, '');
  } else if (body.includes('\n--- a/')) {
    const at = body.indexOf('\n--- a/');
    head = body.slice(0, at);
    basement = body.slice(at + 1).replace(/\n+$/, '');
  }
  const paras = head.replace(/^\n+|\n+$/g, '').split('\n\n');
  const first = splitTrailers(paras[0] ?? '');
  let gitHeaders: Trailer[] = [];
  const parts: string[] = [];
  if (first.others.length > 0) parts.push(paras[0] ?? '');
  else gitHeaders = first.trailers;
  const last = splitTrailers(paras[paras.length - 1] ?? '');
  let message: string;
  if (paras.length === 1) {
    if (
      gitHeaders.length === last.trailers.length &&
      gitHeaders.every((t, i) => last.trailers[i] && same(t, last.trailers[i]))
    )
      gitHeaders = [];
    message = last.others.join('\n');
  } else {
    parts.push(...paras.slice(1, -1));
    if (last.others.length > 0) parts.push(last.others.join('\n'));
    message = parts.join('\n\n');
  }

  const sob = signOff ? { name: 'Signed-off-by', value: signOff, extinfo: null } : null;
  const fixed = [...last.trailers];
  let hasSob = false;
  if (sob) {
    const i = fixed.findIndex((t) => same(t, sob));
    if (i >= 0) {
      hasSob = true;
      fixed.splice(i, 1);
    }
  }
  for (const t of followups) {
    if (sob && same(t, sob)) continue;
    if (fixed.some((x) => same(x, t))) continue;
    fixed.push({ name: t.name, value: t.value, extinfo: null });
  }
  if (sob && (hasSob || signOff)) fixed.push(sob);

  let out = '';
  if (gitHeaders.length > 0) out += `${gitHeaders.map((t) => `${t.name}: ${t.value}`).join('\n')}\n\n`;
  if (message.length > 0) {
    out += `${message.replace(/[\r\n]+$/, '')}\n`;
    if (fixed.length > 0) out += '\n';
  }
  for (const t of fixed)
    out += `${t.name}: ${t.value}${t.extinfo ? (t.extinfo.trimStart().startsWith('#') ? t.extinfo : `\n${t.extinfo}`) : ''}\n`;
  if (basement.length > 0) {
    if (fixed.length === 0) out += '\n';
    const trimmed = basement.trim();
    // No `---` is needed when only the diff follows; notes or a diffstat keep theirs.
    out +=
      DIFFSTAT_RE.test(basement) || !(trimmed.startsWith('diff --git') || basement.trimStart().startsWith('--- '))
        ? '---\n'
        : '\n';
    out += `${basement.replace(/^[\r\n]+|[\r\n]+$/g, '')}\n`;
  }
  if (signature.length > 0) out += `-- \n${signature.replace(/[\r\n]+$/, '')}\n`;
  return out;
}
