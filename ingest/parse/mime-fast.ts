import { MailParser } from 'mailparser';
import type { DecodedMail, HeaderLine } from './mime-decoded.ts';

/**
 * A fast path for the common patch mail: one text/plain part, UTF-8/ASCII, 7bit/8bit or
 * quoted-printable. simpleParser streams every mail through a chain of Transform streams, which
 * costs ~1 ms a message; here the header block is split the way mailsplit splits it and handed to
 * mailparser's own header processing, so header values are identical by construction, and the
 * body is decoded the way mailparser's text/plain pipeline decodes it. Anything else (multipart,
 * base64, other charsets, format=flowed, attachments) returns null and goes the full path.
 */

// mailsplit's MAX_HEAD_SIZE: above it the full parser errors, so let it.
const MAX_HEAD_SIZE = 1024 * 1024;

type ProcessHeaders = (lines: HeaderLine[]) => Map<string, unknown>;

let processHeadersFn: ProcessHeaders | null = null;

/** mailparser's header processing, borrowed from an idle MailParser instance (never written to). */
function processHeaders(lines: HeaderLine[]): Map<string, unknown> {
  if (!processHeadersFn) {
    const parser = new MailParser();
    const fn: unknown = Reflect.get(parser, 'processHeaders');
    if (typeof fn !== 'function') throw new Error('mailparser has no processHeaders(); fast path unusable');
    processHeadersFn = (l) => {
      const out: unknown = Reflect.apply(fn, parser, [l]);
      if (!(out instanceof Map)) throw new Error('mailparser processHeaders() returned no Map');
      return out;
    };
  }
  return processHeadersFn(lines);
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
  const lines = block.replace(/[\r\n]+$/, '').split(/\r?\n/);
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

function contentTypeOf(headers: Map<string, unknown>): { value: string; params: Record<string, unknown> } | null {
  const ct = headers.get('content-type');
  if (typeof ct !== 'object' || ct === null) return null;
  const value: unknown = Reflect.get(ct, 'value');
  const params: unknown = Reflect.get(ct, 'params');
  if (typeof value !== 'string') return null;
  const p: Record<string, unknown> = {};
  if (typeof params === 'object' && params !== null) {
    for (const [k, v] of Object.entries(params)) p[k] = v;
  }
  return { value, params: p };
}

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
  if (countKey(headerLines, 'content-disposition') > 0) return null;

  const headers = processHeaders(headerLines);
  let charset: string | null = null;
  if (countKey(headerLines, 'content-type') === 1) {
    const ct = contentTypeOf(headers);
    if (!ct || ct.value.toLowerCase().trim() !== 'text/plain') return null;
    if (ct.params.format !== undefined || ct.params.name !== undefined) return null;
    const cs = ct.params.charset;
    if (cs !== undefined) {
      if (typeof cs !== 'string') return null;
      charset = cs;
    }
  }
  if (charset !== null && !PLAIN_CHARSETS.has(charset.toLowerCase().replace(/[^a-z0-9]+/g, ''))) return null;

  const cteRaw = headers.get('content-transfer-encoding');
  const cte = typeof cteRaw === 'string' ? cteRaw.replace(/\(.*\)/g, '').toLowerCase().trim() : '';
  if (cteRaw !== undefined && typeof cteRaw !== 'string') return null;

  const body = bodyStart < 0 ? Buffer.alloc(0) : raw.subarray(bodyStart);
  let decoded: Buffer;
  if (PASS_ENCODINGS.has(cte)) decoded = body;
  else if (cte === 'quoted-printable') decoded = decodeQuotedPrintable(body.toString('utf8'));
  else return null;

  return {
    headers,
    headerLines,
    text: decoded.toString('utf8').replace(/\r?\n/g, '\n'),
    patchParts: [],
    path: 'fast',
  };
}
