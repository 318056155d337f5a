/**
 * The `daxbot run --since` window: which new series versions are tested.
 *
 * The window exists for live sources: the first poll of a list backfills years of its history,
 * and none of that should be queued. For their mail it is measured on the Date of the version's
 * newest mail. A maintainer's explicit import (`daxbot ingest --mbox FILE`) is the opposite case:
 * whatever the mails' Dates, the series were handed over now in order to be tested (the CLI
 * contract: `ingest --mbox` then `run --once` tests them as if a live source had brought them).
 * So for a version any of whose mails was stored, or seen again, by an explicit import, the window
 * is measured on the later of that Date and the time of the import. An import older than the
 * window is not tested again by a later run, just as old live mail is not.
 */
import type { Kysely, Transaction } from 'kysely';
import { z } from 'zod';
import { sourceDeliveries } from '../store/messages.ts';
import type { Database } from '../store/tables.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** `daxbot ingest --mbox` stores its mail under this source name prefix and the file's path. */
export const IMPORT_SOURCE_PREFIX = 'mbox:';

export function importSourceName(absolutePath: string): string {
  return `${IMPORT_SOURCE_PREFIX}${absolutePath}`;
}

/** A configured source that happens to be named "mbox:..." is still a live source. */
export function isExplicitImport(source: string, configured: ReadonlySet<string>): boolean {
  return source.startsWith(IMPORT_SOURCE_PREFIX) && !configured.has(source);
}

/** The latest explicit-import time of every Message-ID an import stored or saw again. */
export async function explicitImportTimes(db: Db, configured: ReadonlySet<string>): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const r of await sourceDeliveries(db, IMPORT_SOURCE_PREFIX)) {
    if (!isExplicitImport(r.source, configured)) continue;
    const prev = out.get(r.messageId);
    if (prev === undefined || Date.parse(r.at) > Date.parse(prev)) out.set(r.messageId, r.at);
  }
  return out;
}

// The stored SeriesVersion JSON, only the Message-IDs (our own JSON, still checked: it outlives code).
const versionMessagesSchema = z.object({
  rootMessageId: z.string(),
  coverMessageId: z.string().nullable().optional(),
  patches: z.array(z.object({ messageId: z.string() })),
});

/** Every Message-ID of a stored version (cover, root, patches); none if the JSON is not a version. */
export function versionMessageIds(data: string): string[] {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return [];
  }
  const v = versionMessagesSchema.safeParse(json);
  if (!v.success) return [];
  return [
    v.data.rootMessageId,
    ...(v.data.coverMessageId ? [v.data.coverMessageId] : []),
    ...v.data.patches.map((p) => p.messageId),
  ];
}

/** The latest import time among the given Message-IDs, or null when none was imported. Pure. */
export function importTimeOf(messageIds: readonly string[], imports: ReadonlyMap<string, string>): string | null {
  let best: string | null = null;
  for (const id of messageIds) {
    const at = imports.get(id);
    if (at !== undefined && (best === null || Date.parse(at) > Date.parse(best))) best = at;
  }
  return best;
}

/**
 * Whether a version is inside the window: its newest mail's Date, or its import time, is at
 * or after `since`. No window (`--since all`) lets everything through. Pure.
 */
export function insideWindow(since: Date | null, lastDate: string | null, importedAt: string | null): boolean {
  if (since === null) return true;
  const times = [lastDate, importedAt].map((t) => Date.parse(t ?? '')).filter((t) => !Number.isNaN(t));
  return times.some((t) => t >= since.getTime());
}
