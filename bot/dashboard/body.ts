/** Request bodies: size-limited, urlencoded forms or JSON, returned as unknown for a schema. */
import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-error.ts';

const LIMIT = 64 * 1024;

export async function readBody(req: IncomingMessage, limit = LIMIT): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += b.length;
    // Stop reading at once: a client streaming megabytes gets its answer, not our memory.
    if (size > limit) throw new HttpError(413, `request body over ${limit} bytes`, { limit });
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

/** A form field given several times becomes an array (several suites); once, a string. */
export function parseFormBody(text: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(text)) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

export async function readFields(req: IncomingMessage): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const buf = await readBody(req);
  if (buf.length === 0) return {};
  const text = buf.toString('utf8');
  if (type === 'application/x-www-form-urlencoded') return parseFormBody(text);
  if (type === 'application/json') {
    try {
      return JSON.parse(text);
    } catch {
      throw new HttpError(400, 'the body is not valid JSON');
    }
  }
  throw new HttpError(415, `unsupported content type ${type || '(none)'}: send a form or JSON`, { type });
}
