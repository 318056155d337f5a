/**
 * RFC 5322 bytes for a rendered reply. Every header value comes from mail we received
 * (names, subjects, message-ids), so nothing reaches the composer before it is cleaned:
 * control characters (CR, LF, NUL, ...) are removed, addresses and message-ids must match a
 * strict shape or are dropped, and non-ASCII text is left to nodemailer's RFC 2047 encoding.
 * No header can be injected because no value can contain a line break any more.
 */
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import addressparser from 'nodemailer/lib/addressparser/index.js';
import { DaxbotError } from '../errors.ts';
import { isAddress, isMessageId } from './headers.ts';
import type { RenderedReply } from './render/common.ts';

export interface OutgoingMail {
  raw: Buffer;
  messageId: string;
  /** SMTP envelope: never derived from a Bcc (the bot sends none). */
  envelope: { from: string; to: string[] };
}

export interface Mailbox {
  name: string;
  address: string;
}

const CONTROL = /[\u0000-\u001f\u007f\u0080-\u009f\u2028\u2029]/g;

/** One line of header text: control characters become spaces, runs of space collapse. */
export function cleanHeaderText(value: string): string {
  return value.replace(CONTROL, ' ').replace(/\s+/g, ' ').trim();
}

interface ParsedAddress {
  name?: string;
  address?: string;
  group?: ParsedAddress[];
}

/**
 * Parses an address list. Line breaks are removed first, so "a@b\r\nBcc: c@d" cannot become
 * a header; it then reads as a group ("a@b Bcc:" with member c@d), and groups are dropped
 * whole, since nobody the bot writes to is ever a group: no recipient is invented.
 */
export function parseMailboxes(value: string): Mailbox[] {
  const parsed: ParsedAddress[] = addressparser(cleanHeaderText(value));
  const out: Mailbox[] = [];
  for (const a of parsed) {
    if (a.group) continue;
    const address = (a.address ?? '').trim();
    if (!isAddress(address)) continue;
    out.push({ name: cleanHeaderText(a.name ?? ''), address });
  }
  return out;
}

function ids(value: string): string[] {
  return (cleanHeaderText(value).match(/<[^<>]*>/g) ?? []).filter(isMessageId);
}

export interface BuildOptions {
  date: Date;
}

const STRUCTURED = new Set(['from', 'to', 'cc', 'subject', 'message-id', 'in-reply-to', 'references', 'date', 'bcc']);

export async function buildMessage(reply: RenderedReply, opts: BuildOptions): Promise<OutgoingMail> {
  const h = reply.headers;
  const from = parseMailboxes(h.From ?? '');
  const sender = from[0];
  if (!sender) throw new DaxbotError('mail', 'the From address is not valid', { from: h.From });
  const to = parseMailboxes(h.To ?? '');
  const cc = parseMailboxes(h.Cc ?? '');
  if (to.length === 0) throw new DaxbotError('mail', 'no valid To address', { to: h.To });
  const messageId = ids(h['Message-ID'] ?? '')[0];
  if (!messageId) throw new DaxbotError('mail', 'the Message-ID is not valid', { messageId: h['Message-ID'] });
  const extra: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    // Header names are ours, but check anyway: a bad name would be a header of its own.
    if (!/^[A-Za-z0-9-]+$/.test(k)) throw new DaxbotError('mail', 'invalid header name', { name: k });
    if (STRUCTURED.has(k.toLowerCase())) continue;
    extra[k] = cleanHeaderText(v);
  }
  const inReplyTo = ids(h['In-Reply-To'] ?? '')[0];
  const references = ids(h.References ?? '');
  const composer = new MailComposer({
    from: sender,
    to,
    cc: cc.length ? cc : undefined,
    subject: cleanHeaderText(h.Subject ?? ''),
    messageId,
    inReplyTo,
    references: references.length ? references : undefined,
    date: opts.date,
    // A placeholder with one non-ASCII letter so the headers say charset=utf-8; the real body
    // is put in below as 8bit text.
    text: '\u00e9',
    headers: extra,
    // The SMTP envelope comes from here, not from headers.
    envelope: { from: sender.address, to: [...to, ...cc].map((m) => m.address) },
  });
  const built = (await composer.compile().build()).toString('utf8');
  // Plain 8bit text, as kernel lists expect: nodemailer would pick quoted-printable for long
  // lines such as `first bad commit: ...`, and its soft line breaks break grep and copy-paste.
  const end = built.indexOf('\r\n\r\n');
  const head = built.slice(0, end).replace(/^Content-Transfer-Encoding: .*$/im, 'Content-Transfer-Encoding: 8bit');
  // NUL and bare CR are not allowed in a message body; everything else is kept as written.
  const body = reply.body
    .replace(/\u0000/g, '')
    .replace(/\r\n?/g, '\n')
    .replace(/\n/g, '\r\n');
  const raw = Buffer.from(`${head}\r\n\r\n${body}${body.endsWith('\r\n') ? '' : '\r\n'}`, 'utf8');
  return { raw, messageId, envelope: { from: sender.address, to: [...new Set([...to, ...cc].map((m) => m.address))] } };
}
