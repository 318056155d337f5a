import addressparser from 'nodemailer/lib/addressparser/index.js';
import type { Address, ParsedMessage } from './types.ts';
import type { DecodedMail } from './mime-decoded.ts';
import { decodeFast } from './mime-fast.ts';
import { decodeFull } from './mime-full.ts';
import { parseSubject } from './subject.ts';
import { splitPatchBody } from './diff.ts';
import { parseBaseInfo, parseFollowupTrailers, trailersOfMessage } from './trailers.ts';
import { addressListOf, dateOf, inReplyToOf, listIdOf, messageIdOf, referencesOf, subjectOf } from './header-fields.ts';
import { syntheticId } from './synthetic-id.ts';

export type ParseOutcome =
  | { ok: true; message: ParsedMessage }
  | { ok: false; reason: string; messageId: string | null };

export interface ParseMessageOptions {
  /** Subject prefix words that name another project (see subject.ts DEFAULT_PROJECTS). */
  projects?: readonly string[];
  /** Honour scissors lines in the body (git am --scissors). Default false. */
  scissors?: boolean;
  /** 'auto' (default) takes the fast path when it applies; 'full' always uses simpleParser. */
  decoder?: 'auto' | 'full';
}

// b4's test for a diffstat summary line ("3 files changed, 10 insertions(+)").
const DIFFSTAT_RE = /^\s*\d+ files? changed.*\d+ (?:insertion|deletion)/im;

/** Stable id for a mail without Message-ID, so a re-read of the same bytes maps to the same row. */
export { syntheticId };

/** Share of control bytes (not tab/CR/LF/FF/ESC) in the first 8 KiB: mail is text, even when 8bit. */
function looksBinary(raw: Buffer): boolean {
  const n = Math.min(raw.length, 8192);
  let bad = 0;
  for (let i = 0; i < n; i++) {
    const b = raw[i] ?? 0;
    if ((b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c && b !== 0x1b) || b === 0x7f) bad++;
  }
  return bad * 10 > n;
}

function hasHeaderFields(d: DecodedMail): boolean {
  return d.headerLines.some((l) => /^[\x21-\x39\x3b-\x7e]+$/.test(l.key));
}

function inbodyAuthor(from: string | undefined): Address | null {
  if (!from) return null;
  const first = addressparser(from, { flatten: true })[0];
  return first && first.address ? { name: first.name, address: first.address } : null;
}

/** Decodes the MIME layer; the fast path is only a shortcut and must agree with the full one. */
export async function decodeMail(raw: Buffer, decoder: 'auto' | 'full' = 'auto'): Promise<DecodedMail> {
  const fast = decoder === 'auto' ? decodeFast(raw) : null;
  return fast ?? (await decodeFull(raw));
}

/** Builds the ParsedMessage from decoded MIME. Pure. */
export function buildMessage(raw: Buffer, d: DecodedMail, opts: ParseMessageOptions = {}): ParsedMessage {
  const messageId = messageIdOf(d.headers) ?? syntheticId(raw);
  const subject = parseSubject(subjectOf(d.headers), opts.projects ? { projects: opts.projects } : {});
  const split = splitPatchBody(d.text, { scissors: opts.scissors ?? false });
  let { diff, files } = split;
  const patchText = d.patchParts.join('\n');
  if (diff === null && patchText !== '') {
    const attached = splitPatchBody(patchText);
    diff = attached.diff;
    files = attached.files;
  }
  const base = parseBaseInfo(patchText === '' ? d.text : `${d.text}\n${patchText}`);
  const from = addressListOf(d.headers, 'from')[0] ?? { name: '', address: '' };
  return {
    messageId,
    inReplyTo: inReplyToOf(d.headers),
    references: referencesOf(d.headers, messageId),
    from,
    to: addressListOf(d.headers, 'to'),
    cc: addressListOf(d.headers, 'cc'),
    date: dateOf(d.headerLines),
    subject,
    listId: listIdOf(d.headers, d.headerLines),
    body: split.message,
    diff,
    files,
    trailers: trailersOfMessage(split.message),
    baseCommit: base.baseCommit,
    prerequisitePatchIds: base.prerequisitePatchIds,
    prerequisiteMessageIds: base.prerequisiteMessageIds,
    changeId: base.changeId,
    // git mailinfo only believes in-body headers when the mail carries a patch.
    author: (diff !== null ? inbodyAuthor(split.inbody.from) : null) ?? from,
    commitSubject:
      diff !== null && split.inbody.subject !== undefined
        ? parseSubject(split.inbody.subject).subject
        : subject.subject,
    notes: split.notes,
    // A diffstat sits in the notes of a patch or in the body of a cover letter, never in a diff.
    hasDiffstat: DIFFSTAT_RE.test(split.message) || (split.notes !== null && DIFFSTAT_RE.test(split.notes)),
    followupTrailers: subject.isReply || !subject.isPatch ? parseFollowupTrailers(d.text) : [],
  };
}

/**
 * Parses one raw RFC 5322 message. Never throws: a mail that cannot be used at all (empty, binary,
 * no header fields, or one mailparser rejects) comes back as `ok: false` with the reason, so the
 * caller can quarantine it beside its raw bytes. Odd but usable mail is parsed.
 */
export async function parseMessage(raw: Buffer, opts: ParseMessageOptions = {}): Promise<ParseOutcome> {
  if (raw.length === 0) return { ok: false, reason: 'empty message', messageId: null };
  if (looksBinary(raw)) return { ok: false, reason: 'binary data, not a mail message', messageId: null };
  let decoded: DecodedMail;
  try {
    decoded = await decodeMail(raw, opts.decoder ?? 'auto');
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    return { ok: false, reason: `MIME decoding failed: ${msg}`, messageId: null };
  }
  if (!hasHeaderFields(decoded)) return { ok: false, reason: 'no header fields', messageId: null };
  try {
    return { ok: true, message: buildMessage(raw, decoded, opts) };
  } catch (err) {
    // A bug of ours on a strange mail must not stop ingest; the raw stays for a re-parse.
    const msg = err instanceof Error ? err.message : String(err);
    return { ok: false, reason: `parse failed: ${msg}`, messageId: messageIdOf(decoded.headers) };
  }
}
