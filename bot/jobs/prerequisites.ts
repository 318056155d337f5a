/**
 * A series' prerequisites from the store: a `prerequisite-message-id:` names a series version
 * (its cover letter or a patch), which goes in whole; a `prerequisite-patch-id:` names one patch,
 * found by computing `git patch-id --stable` of the patches posted before the series (newest
 * first, bounded). The answer keeps the trailers' order; what the store lacks is said so.
 */
import type { Kysely } from 'kysely';
import type { SeriesVersion } from '../../ingest/series/types.ts';
import { patchIds } from '../../runners/tree/patch-id.ts';
import { patchDiffsBefore, versionHoldingMessage } from '../store/prerequisites.ts';
import type { Database } from '../store/tables.ts';
import type { PrerequisiteFound } from './base-types.ts';

export interface PrerequisiteSources {
  db: Kysely<Database>;
  /** The am-ready mbox of a stored series version. */
  exportMbox(versionKey: string): Promise<Buffer>;
  /** An mbox of stored mails, in the order given. */
  messagesMbox(messageIds: string[]): Promise<Buffer>;
  /** At most this many patches are searched by patch id. */
  limit?: number;
}

export interface PrerequisiteRequest {
  patchIds: string[];
  messageIds: string[];
  /** Only patches posted up to this date are searched by patch id (the series' date); null: all. */
  before: string | null;
}

function label(v: SeriesVersion): string {
  const n = v.patches.length;
  return `"${v.subject}" v${v.revision} (${n} patch${n === 1 ? '' : 'es'})`;
}

async function byMessageId(src: PrerequisiteSources, ids: string[]): Promise<PrerequisiteFound[]> {
  const out: PrerequisiteFound[] = [];
  const taken = new Set<string>();
  for (const id of ids) {
    const v = await versionHoldingMessage(src.db, id);
    if (!v) {
      out.push({ kind: 'message-id', id, label: null, mbox: '' });
      continue;
    }
    // Several trailers naming one series (its cover and its patches) bring it in once.
    const mbox = taken.has(v.key) ? '' : (await src.exportMbox(v.key)).toString('utf8');
    taken.add(v.key);
    out.push({ kind: 'message-id', id, label: label(v), mbox });
  }
  return out;
}

async function byPatchId(src: PrerequisiteSources, ids: string[], before: string | null): Promise<PrerequisiteFound[]> {
  const diffs = await patchDiffsBefore(src.db, before, src.limit ?? 3000);
  const computed = await patchIds(diffs.map((d) => ({ key: d.messageId, diff: d.diff })));
  const messageOf = new Map<string, string>();
  // Newest first: a patch posted again (a resend) is taken from its newest posting.
  for (const [messageId, pid] of computed) if (!messageOf.has(pid)) messageOf.set(pid, messageId);
  const found = ids.map((id) => {
    const pid = [...messageOf.keys()].find((p) => p.startsWith(id.toLowerCase()));
    return { id, messageId: pid === undefined ? null : (messageOf.get(pid) ?? null) };
  });
  const messages = found.flatMap((f) => (f.messageId ? [f.messageId] : []));
  const mbox = messages.length > 0 ? (await src.messagesMbox(messages)).toString('utf8') : '';
  const out: PrerequisiteFound[] = [];
  for (const f of found) {
    const v = f.messageId ? await versionHoldingMessage(src.db, f.messageId) : null;
    const name = f.messageId ? (v ? label(v) : `<${f.messageId}>`) : null;
    out.push({ kind: 'patch-id', id: f.id, label: name, mbox: out.some((o) => o.mbox) ? '' : f.messageId ? mbox : '' });
  }
  return out;
}

export async function findPrerequisites(
  src: PrerequisiteSources,
  req: PrerequisiteRequest,
): Promise<PrerequisiteFound[]> {
  const fromIds = req.messageIds.length > 0 ? await byMessageId(src, req.messageIds) : [];
  const fromPatches = req.patchIds.length > 0 ? await byPatchId(src, req.patchIds, req.before) : [];
  return [...fromIds, ...fromPatches];
}
