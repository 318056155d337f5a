/**
 * Request bodies (already size-limited by the app's body limit): urlencoded forms or JSON,
 * returned as unknown for a schema. A form field given several times becomes an array.
 */
import type { Context } from 'hono';
import { HttpError } from './http-error.ts';

export function parseFormBody(text: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(text)) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

export async function readFields(c: Context): Promise<unknown> {
  const type = (c.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const text = await c.req.text();
  if (text.length === 0) return {};
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

/** A string field of a parsed body, or undefined. */
export function field(fields: unknown, name: string): string | undefined {
  if (typeof fields !== 'object' || fields === null || !(name in fields)) return undefined;
  const v: unknown = (fields as Record<string, unknown>)[name];
  return typeof v === 'string' ? v : undefined;
}
