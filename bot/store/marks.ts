/**
 * Marks from accepted mail commands: "unrelated" crash titles per series and "invalid" (withdrawn)
 * series versions. Written in the command's own transaction; read by the pipeline for every
 * later verdict and reply decision.
 */
import type { Kysely, Transaction } from 'kysely';
import type { UnrelatedMark } from '../judge/unrelated.ts';
import type { Database } from './tables.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface NewUnrelatedMark {
  seriesKey: string;
  versionKey: string;
  crashTitle: string;
  markedBy: string;
  /** The command line ("<message-id>/<n>"). */
  commandId: string;
}

export interface NewInvalidMark {
  seriesKey: string;
  versionKey: string;
  markedBy: string;
  commandId: string;
}

export interface InvalidMark {
  versionKey: string;
  markedBy: string;
  markedAt: string;
}

export async function addUnrelatedMark(db: Db, m: NewUnrelatedMark, now: string): Promise<void> {
  await db
    .insertInto('command_marks')
    .values({
      kind: 'unrelated',
      series_key: m.seriesKey,
      version_key: m.versionKey,
      crash_title: m.crashTitle,
      marked_by: m.markedBy,
      command_id: m.commandId,
      created_at: now,
    })
    .onConflict((oc) => oc.column('command_id').doNothing())
    .execute();
}

/**
 * Withdraws the report on a version. Result replies written but not sent yet (a kill between
 * writing and sending) are cancelled too: they stay recorded, never mailed.
 */
export async function addInvalidMark(db: Db, m: NewInvalidMark, now: string): Promise<void> {
  await db
    .insertInto('command_marks')
    .values({
      kind: 'invalid',
      series_key: m.seriesKey,
      version_key: m.versionKey,
      crash_title: null,
      marked_by: m.markedBy,
      command_id: m.commandId,
      created_at: now,
    })
    .onConflict((oc) => oc.column('command_id').doNothing())
    .execute();
  await db
    .updateTable('replies')
    .set({ state: 'recorded', mailed: 0 })
    .where('version_key', '=', m.versionKey)
    .where('kind', '=', 'result')
    .where('state', '=', 'pending')
    .execute();
}

/** Every "unrelated" mark of a series, oldest first. */
export async function unrelatedMarks(db: Db, seriesKey: string): Promise<UnrelatedMark[]> {
  const rows = await db
    .selectFrom('command_marks')
    .select(['crash_title', 'marked_by', 'created_at'])
    .where('kind', '=', 'unrelated')
    .where('series_key', '=', seriesKey)
    .orderBy('id')
    .execute();
  return rows.flatMap((r) =>
    r.crash_title === null ? [] : [{ title: r.crash_title, markedBy: r.marked_by, markedAt: r.created_at }],
  );
}

/** The first "invalid" mark of a version, or null when its report stands. */
export async function invalidMark(db: Db, versionKey: string): Promise<InvalidMark | null> {
  const r = await db
    .selectFrom('command_marks')
    .select(['version_key', 'marked_by', 'created_at'])
    .where('kind', '=', 'invalid')
    .where('version_key', '=', versionKey)
    .orderBy('id')
    .executeTakeFirst();
  return r ? { versionKey: r.version_key, markedBy: r.marked_by, markedAt: r.created_at } : null;
}

/** Versions whose report was withdrawn, for listings. */
export async function invalidVersionKeys(db: Db): Promise<Set<string>> {
  const rows = await db
    .selectFrom('command_marks')
    .select('version_key')
    .where('kind', '=', 'invalid')
    .distinct()
    .execute();
  return new Set(rows.map((r) => r.version_key));
}
