/**
 * A job's base discovery record (`jobs.base`, base-types.ts JobBaseRecord) read back, and how it
 * reads for people: the tree and base tested and how they were found, then every attempt in
 * order. `series show`, the dashboard and the job context all read it through here; a record that
 * does not parse counts as none (the job looks again).
 */
import { z } from 'zod';
import type { JobBaseRecord } from './base-types.ts';

// The outline of our own JSON; the fields people are shown are checked, the rest passes through.
const attemptSchema = z
  .object({ step: z.string(), ok: z.boolean(), note: z.string(), ms: z.number().optional() })
  .passthrough();
const recordSchema = z.object({
  discovery: z.object({ attempts: z.array(attemptSchema) }).passthrough(),
  tested: z
    .object({ tree: z.string(), base: z.string(), how: z.string(), certain: z.boolean() })
    .passthrough()
    .nullable(),
});

export function parseBaseRecord(json: string | null): JobBaseRecord | null {
  if (!json) return null;
  try {
    // Written by findJobBase from a JobBaseRecord; the schema guards against an older shape.
    return recordSchema.safeParse(JSON.parse(json)).success ? (JSON.parse(json) as JobBaseRecord) : null;
  } catch {
    return null;
  }
}

/** What people are shown of a record: the base tested (null: untestable, no base) and the attempts. */
export interface BaseRecordView {
  tested: { tree: string; base: string; how: string; certain: boolean } | null;
  attempts: { step: string; ok: boolean; note: string }[];
}

export function baseRecordView(json: string | null): BaseRecordView | null {
  const r = parseBaseRecord(json);
  if (!r) return null;
  const t = r.tested;
  return {
    tested: t && { tree: t.tree, base: t.base, how: t.how, certain: t.certain },
    attempts: r.discovery.attempts.map((a) => ({ step: a.step, ok: a.ok, note: a.note })),
  };
}

/** Lines for a terminal: "base: linux-6.1 0123456789ab (blobs of 2 files match ...), certain". */
export function baseRecordLines(v: BaseRecordView, indent = '  '): string[] {
  const t = v.tested;
  const head = t
    ? `base: ${t.tree} ${t.base.slice(0, 12)} (${t.how})${t.certain ? ', certain' : ', a guess'}`
    : 'base: none: untestable, no base (recorded, not mailed)';
  return [`${indent}${head}`, ...v.attempts.map((a) => `${indent}  ${a.ok ? 'ok  ' : 'no  '} ${a.step}: ${a.note}`)];
}
