import { MailParser } from 'mailparser';
import type { DecodedMail, HeaderLine } from './mime-decoded.ts';

/**
 * A fast path for the common patch mail: one text/plain part, UTF-8/ASCII, 7bit/8bit or
 * quoted-printable. simpleParser streams every mail through a chain of Transform streams, which
 * costs ~1 ms a message; here the header block is split the way mailsplit splits it and handed to
 * mailparser's own header processing, so header values are identical by construction, and the
 * body is decoded the way mailparser's text/plain pipeline decodes it. Anything else (multipart,
 * base64, other charsets, attachments) returns null and goes the full path. format=flowed is not
 * decoded on either path (see mime-full.ts).
 */

// mailsplit's MAX_HEAD_SIZE: above it the full parser errors, so let it.
const MAX_HEAD_SIZE = 1024 * 1024;

interface Borrowed {
  processHeaders: (lines: HeaderLine[]) => Map<string, unknown>;
}

let borrowed: Borrowed | null = null;

/**
 * mailparser's header processing, borrowed from an idle MailParser instance (never written to),
 * so both paths run the same code.
 */
function mailparserInternals(): Borrowed {
  if (borrowed) return borrowed;
  const parser = new MailParser();
  // processHeaders renders every address list to HTML and text (he.encode on long Cc lists is a
  // tenth of the parse); ingest reads only the parsed `value`, so this private instance skips it.
  Reflect.set(parser, 'getAddressesHTML', () => '');
  Reflect.set(parser, 'getAddressesText', () => '');
  const ph: unknown = Reflect.get(parser, 'processHeaders');
  if (typeof ph !== 'function') throw new Error('mailparser internals (processHeaders) not found; fast path unusable');
  borrowed = {
    processHeaders: (lines) => {
      const out: unknown = Reflect.apply(ph, parser, [lines]);
      if (!(out instanceof Map)) throw new Error('mailparser processHeaders() returned no Map');
      return out;
    },
  };
  return borrowed;
}

/** Offset of the body: just after the first line that is exactly LF or CRLF; -1 when none. */
export function findBodyStart(raw: Buffer): number {
  let lineStart = 0;
  for (;;) {
    const nl = raw.indexOf(0x0a, lineStart);
    if (nl < 0) return -1;
    const len = nl - lineStart;
    if (len === 0 || (len === 1 && raw[lineStart] === 0x0d)) return nl + 1;
    lineStart = nl + 1;
  }
}

/** mailsplit Headers._parseHeaders(): binary string, unfolded with CRLF, mbox `From ` line dropped. */
export function splitHeaderLines(block: string): HeaderLine[] {
  // A manual trim: /[\r\n]+$/ rescans from every line break and is quadratic on big headers.
  let end = block.length;
  while (end > 0 && (block.charCodeAt(end - 1) === 0x0a || block.charCodeAt(end - 1) === 0x0d)) end--;
  const trimmed = block.slice(0, end);
  const lines = trimmed.includes('\r') ? trimmed.split(/\r?\n/) : trimmed.split('\n');
  const out: HeaderLine[] = [];
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i] ?? '';
    if (i > 0 && (line.startsWith(' ') || line.startsWith('\t'))) {
      lines[i - 1] = `${lines[i - 1] ?? ''}\r\n${line}`;
      continue;
    }
    if (i === 0 && (/^From /i.test(line) || /^POST /i.test(line))) continue;
    const colon = line.indexOf(':');
    out.push({ key: colon < 0 ? '' : line.slice(0, colon).toLowerCase().trim(), line });
  }
  return out.reverse();
}

/** libqp's decode(): drop trailing blanks and soft breaks, then `=XX` escapes; other chars as-is. */
export function decodeQuotedPrintable(input: string): Buffer {
  const str = input.replace(/[\t ]+$/gm, '').replace(/=(?:\r?\n|$)/g, '');
  const out = Buffer.alloc(str.length);
  let pos = 0;
  for (let i = 0; i < str.length; i++) {
    const ch = str.charCodeAt(i);
    if (ch === 0x3d && i + 2 < str.length + 0 && /^[\da-fA-F]{2}$/.test(str.slice(i + 1, i + 3))) {
      out[pos++] = Number.parseInt(str.slice(i + 1, i + 3), 16);
      i += 2;
      continue;
    }
    out[pos++] = ch & 0xff;
  }
  return out.subarray(0, pos);
}

function countKey(lines: readonly HeaderLine[], key: string): number {
  let n = 0;
  for (const l of lines) if (l.key === key) n++;
  return n;
}

/** A `{ value, params }` header as libmime.parseHeaderValue leaves it, checked field by field. */
function structured(v: unknown): { value: string; params: Record<string, unknown> } | null {
  if (typeof v !== 'object' || v === null) return null;
  const value: unknown = Reflect.get(v, 'value');
  const params: unknown = Reflect.get(v, 'params');
  if (typeof value !== 'string') return null;
  const p: Record<string, unknown> = {};
  if (typeof params === 'object' && params !== null) {
    for (const [k, val] of Object.entries(params)) p[k] = val;
  }
  return { value, params: p };
}

/** Header fields header-fields.ts and this file read from the processed map. */
export const USED_KEYS: ReadonlySet<string> = new Set([
  'message-id',
  'in-reply-to',
  'references',
  'from',
  'to',
  'cc',
  'subject',
  'date',
  'list-id',
  'content-type',
  'content-transfer-encoding',
  'content-disposition',
]);

const PLAIN_CHARSETS = new Set(['ascii', 'usascii', 'utf8']);
const PASS_ENCODINGS = new Set(['', '7bit', '8bit', 'binary']);

/** Decodes a simple single-part text/plain mail, or returns null when the full parser is needed. */
export function decodeFast(raw: Buffer): DecodedMail | null {
  const bodyStart = findBodyStart(raw);
  const headEnd = bodyStart < 0 ? raw.length : bodyStart;
  if (headEnd > MAX_HEAD_SIZE) return null;
  const headerLines = splitHeaderLines(raw.subarray(0, headEnd).toString('binary'));
  // mailsplit reads the first Content-* header and mailparser keeps the last: only agree when single.
  if (countKey(headerLines, 'content-type') > 1 || countKey(headerLines, 'content-transfer-encoding') > 1) return null;
  if (countKey(headerLines, 'content-disposition') > 1) return null;

  // Only the fields ingest reads: lore mail carries dozens of Received/ARC/DKIM lines whose
  // decoding would cost more than the rest of the parse. processHeaders treats each line on its
  // own, so the kept fields come out exactly as from the full parser.
  const internals = mailparserInternals();
  const headers = internals.processHeaders(headerLines.filter((l) => USED_KEYS.has(l.key)));

  // `inline` (with or without a filename) keeps a text/plain part as the mail text; anything
  // else makes it an attachment, which is the full path's business.
  if (countKey(headerLines, 'content-disposition') === 1) {
    const cd = structured(headers.get('content-disposition'));
    if (!cd || cd.value.toLowerCase().trim() !== 'inline') return null;
  }

  let charset: string | null = null;
  if (countKey(headerLines, 'content-type') === 1) {
    const ct = structured(headers.get('content-type'));
    if (!ct || ct.value.toLowerCase().trim() !== 'text/plain') return null;
    const { charset: cs } = ct.params;
    if (cs !== undefined) {
      if (typeof cs !== 'string') return null;
      charset = cs;
    }
  }
  if (charset !== null && !PLAIN_CHARSETS.has(charset.toLowerCase().replace(/[^a-z0-9]+/g, ''))) return null;

  const cteRaw = headers.get('content-transfer-encoding');
  if (cteRaw !== undefined && typeof cteRaw !== 'string') return null;
  const cte =
    typeof cteRaw === 'string'
      ? cteRaw
          .replace(/\(.*\)/g, '')
          .toLowerCase()
          .trim()
      : '';

  const body = bodyStart < 0 ? Buffer.alloc(0) : raw.subarray(bodyStart);
  let decoded: Buffer | null;
  if (PASS_ENCODINGS.has(cte)) decoded = body;
  else if (cte === 'quoted-printable') decoded = decodeQuotedPrintable(body.toString('utf8'));
  else if (cte === 'base64') decoded = decodeBase64(body);
  else decoded = null;
  if (decoded === null) return null;

  const text = decoded.toString('utf8');
  return {
    headers,
    headerLines,
    text: text.includes('\r') ? text.replace(/\r?\n/g, '\n') : text,
    patchParts: [],
    path: 'fast',
  };
}

/**
 * libbase64's Decoder: drop everything outside the alphabet, decode. Padding inside the data
 * (concatenated encodings) decodes differently chunk by chunk, so that case goes the full path.
 */
export function decodeBase64(body: Buffer): Buffer | null {
  const clean = body.toString('ascii').replace(/[^a-zA-Z0-9+/=]/g, '');
  const pad = clean.indexOf('=');
  if (pad >= 0 && !/^=+$/.test(clean.slice(pad))) return null;
  return Buffer.from(clean, 'base64');
}
