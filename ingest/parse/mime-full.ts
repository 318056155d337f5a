import { simpleParser, type Attachment } from 'mailparser';
import type { DecodedMail, HeaderLine } from './mime-decoded.ts';

// Link and HTML rendering are never used and cost a third of simpleParser's time.
const OPTIONS = { skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true } as const;

/** True for an attachment that carries a patch rather than a log or a picture. */
export function isPatchAttachment(a: { contentType: string; filename?: string | undefined }): boolean {
  const type = a.contentType.toLowerCase();
  if (type === 'text/x-patch' || type === 'text/x-diff' || type === 'text/x-diff-patch' || type === 'text/patch')
    return true;
  if (type === 'application/x-patch' || type === 'application/x-diff') return true;
  return (
    /\.(?:patch|diff)$/i.test(a.filename ?? '') && (type.startsWith('text/') || type === 'application/octet-stream')
  );
}

function charsetOf(a: Attachment): string | null {
  const ct: unknown = a.headers.get('content-type');
  if (typeof ct !== 'object' || ct === null || !('params' in ct)) return null;
  const params: unknown = ct.params;
  if (typeof params !== 'object' || params === null || !('charset' in params)) return null;
  return typeof params.charset === 'string' ? params.charset : null;
}

function decodeAttachment(a: Attachment): string {
  const charset = charsetOf(a);
  let text: string;
  try {
    // Patches are nearly always UTF-8 or ASCII; a declared legacy charset is honoured when known.
    text = new TextDecoder(charset ?? 'utf-8').decode(a.content);
  } catch {
    text = a.content.toString('utf8');
  }
  return text.replace(/\r?\n/g, '\n');
}

/**
 * format=flowed text is kept as sent, as git mailinfo (so `git am`) and b4 keep it: decoding it
 * changes a patch's commit message, and clients glue a quoted `> ` line onto the reply's next
 * paragraph (a Reviewed-by: under a quote vanished that way). simpleParser always decodes it, so
 * the parameter is renamed in the Content-Type headers before parsing.
 */
function withoutFlowed(raw: Buffer): Buffer {
  const text = raw.toString('latin1');
  if (!/format\s*=\s*"?flowed/i.test(text)) return raw;
  const header = /^content-type:[^\n]*(?:\n[ \t][^\n]*)*/gim;
  return Buffer.from(
    text.replace(header, (h) => h.replace(/(format\s*=\s*"?)flowed/gi, '$1fixed')),
    'latin1',
  );
}

/** Full MIME decoding with mailparser's simpleParser: multipart, base64, charsets. */
export async function decodeFull(raw: Buffer): Promise<DecodedMail> {
  const mail = await simpleParser(withoutFlowed(raw), OPTIONS);
  const headerLines: HeaderLine[] = mail.headerLines.map((h) => ({ key: h.key, line: h.line }));
  const patchParts = mail.attachments.filter(isPatchAttachment).map(decodeAttachment);
  return {
    headers: mail.headers,
    headerLines,
    text: typeof mail.text === 'string' ? mail.text : '',
    patchParts,
    path: 'full',
  };
}
