import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { errorMessage } from '../../../config/errors.ts';
import { SourceError } from '../errors.ts';
import { DEFAULT_BATCH_SIZE, parseCheckpoint } from '../checkpoint.ts';
import { listMaildir, readMaildirEntry } from './maildir.ts';
import { MboxCursor, readFileHead } from './mbox-reader.ts';
import type { PollResult, RawMail, Source, SourceContext, SourceEnvironment } from '../types.ts';
import type { MboxSourceConfig } from './schema.ts';

/**
 * A local mbox/mboxrd file (gzip detected by its magic bytes) or a maildir folder.
 *
 * File checkpoint: the uncompressed byte offset where the next message starts, plus the file's
 * size and a hash of its first 4 KiB. Appending (what a mailing-list archiver does) resumes at the
 * offset; a file that shrank or whose beginning changed was rewritten, and is read again from the
 * start with a warning (the store dedups what it already has).
 *
 * Maildir checkpoint: the sorted unique names already handed on that are still present.
 */
const fileCheckpointSchema = z.object({
  type: z.literal('file'),
  offset: z.number().int().nonnegative(),
  size: z.number().int().nonnegative(),
  headHash: z.string(),
  headLength: z.number().int().nonnegative(),
  done: z.boolean(),
});
const maildirCheckpointSchema = z.object({
  type: z.literal('maildir'),
  seen: z.array(z.string()),
});
const checkpointSchema = z.discriminatedUnion('type', [fileCheckpointSchema, maildirCheckpointSchema]);

type FileCheckpoint = z.infer<typeof fileCheckpointSchema>;

/** Relative paths are resolved against `baseDir` (the config file's folder). */
export type MboxSourceDeps = SourceEnvironment;

/** A source's path and what it keeps between polls. */
interface MboxState {
  name: string;
  path: string;
  // Kept between polls so a long gzip import decompresses the file once, not once per batch.
  cursor: MboxCursor | null;
  cursorHash: string | null;
  /** Messages handed on so far (progress). */
  count: number;
}

function dropCursor(st: MboxState): void {
  st.cursor?.close();
  st.cursor = null;
  st.cursorHash = null;
}

/** Where reading resumes: the checkpoint's offset, 0 for a rewritten file, or nothing new at all. */
async function resumeOffset(
  st: MboxState,
  cp: FileCheckpoint | null,
  size: number,
  ctx: SourceContext,
): Promise<number | 'unchanged'> {
  if (!cp) return 0;
  const then = cp.headLength > 0 ? await readFileHead(st.path, cp.headLength) : null;
  const rewritten = size < cp.size || (then !== null && then.hash !== cp.headHash);
  if (rewritten) {
    ctx.log.warn(
      { source: st.name, path: st.path, size, previousSize: cp.size },
      'mbox file was rewritten; reading it again from the start',
    );
    return 0;
  }
  return cp.done && size === cp.size ? 'unchanged' : cp.offset;
}

async function readBatch(st: MboxState, cursor: MboxCursor, start: number, ctx: SourceContext): Promise<RawMail[]> {
  const batchSize = ctx.batchSize ?? DEFAULT_BATCH_SIZE;
  const messages: RawMail[] = [];
  try {
    while (messages.length < batchSize) {
      if (ctx.signal?.aborted) break;
      const msg = await cursor.next();
      if (!msg) break;
      messages.push({ raw: msg.raw, origin: `mbox offset ${msg.offset}` });
    }
  } catch (err) {
    dropCursor(st);
    throw new SourceError(
      `cannot read mbox ${st.path}: ${errorMessage(err)}`,
      { source: st.name, path: st.path, offset: start },
      { cause: err },
    );
  }
  return messages;
}

async function pollFile(
  st: MboxState,
  cp: FileCheckpoint | null,
  size: number,
  ctx: SourceContext,
): Promise<PollResult> {
  const start = await resumeOffset(st, cp, size, ctx);
  if (start === 'unchanged') return { messages: [], nextCheckpoint: JSON.stringify(cp), more: false };
  const fullHead = await readFileHead(st.path);
  if (!st.cursor || st.cursor.offset !== start || st.cursorHash !== fullHead.hash || st.cursor.done) {
    dropCursor(st);
    st.cursor = new MboxCursor(st.path, start, fullHead.gzip);
    st.cursorHash = fullHead.hash;
  }
  const cursor = st.cursor;
  const messages = await readBatch(st, cursor, start, ctx);
  st.count += messages.length;
  ctx.progress?.(st.count, null);
  const next: FileCheckpoint = {
    type: 'file',
    offset: cursor.offset,
    size,
    headHash: fullHead.hash,
    headLength: fullHead.length,
    done: cursor.done,
  };
  const more = !cursor.done;
  if (cursor.done) dropCursor(st);
  return { messages, nextCheckpoint: JSON.stringify(next), more };
}

async function pollMaildir(st: MboxState, seenList: string[] | null, ctx: SourceContext): Promise<PollResult> {
  const entries = await listMaildir(st.path);
  const seen = new Set(seenList ?? []);
  const unseen = entries.filter((e) => !seen.has(e.unique));
  const batchSize = ctx.batchSize ?? DEFAULT_BATCH_SIZE;
  const messages: RawMail[] = [];
  const taken: string[] = [];
  for (const entry of unseen.slice(0, batchSize)) {
    const raw = await readMaildirEntry(st.path, entry);
    if (raw === null) continue;
    messages.push({ raw, origin: `maildir ${entry.rel}` });
    taken.push(entry.unique);
  }
  // Names of deleted messages are dropped so the checkpoint does not grow forever.
  const present = new Set(entries.map((e) => e.unique));
  const nextSeen = [...[...seen].filter((u) => present.has(u)), ...taken].sort();
  st.count += messages.length;
  ctx.progress?.(st.count, entries.length);
  return {
    messages,
    nextCheckpoint: JSON.stringify({ type: 'maildir', seen: nextSeen }),
    more: unseen.length > batchSize,
  };
}

/** A folder with cur/ or new/ in it. */
async function isMaildir(path: string): Promise<boolean> {
  const dirs = await Promise.all(
    ['cur', 'new'].map((d) =>
      stat(join(path, d)).then(
        (s) => s.isDirectory(),
        () => false,
      ),
    ),
  );
  return dirs.some(Boolean);
}

export function createMboxSource(
  config: MboxSourceConfig,
  deps: MboxSourceDeps = {},
): Source & { close(): Promise<void> } {
  const name = config.name;
  // resolve, not join: an absolute path in the config stays as written.
  const path = deps.baseDir ? resolve(deps.baseDir, config.path) : config.path;
  const st: MboxState = { name, path, cursor: null, cursorHash: null, count: 0 };
  return {
    name,
    kind: 'mbox',
    async poll(checkpoint, ctx) {
      const cp = parseCheckpoint(checkpointSchema, checkpoint, name);
      let info;
      try {
        info = await stat(path);
      } catch (err) {
        throw new SourceError(
          `mbox source ${name}: cannot read ${path}: ${errorMessage(err)}`,
          { source: name, path },
          { cause: err },
        );
      }
      if (info.isDirectory()) {
        if (!(await isMaildir(path)))
          throw new SourceError(`mbox source ${name}: ${path} is a folder without cur/ or new/`, {
            source: name,
            path,
          });
        if (cp && cp.type !== 'maildir')
          ctx.log.warn({ source: name, path }, 'mbox source changed from a file to a maildir; reading it all');
        return pollMaildir(st, cp?.type === 'maildir' ? cp.seen : null, ctx);
      }
      if (cp && cp.type !== 'file')
        ctx.log.warn({ source: name, path }, 'mbox source changed from a maildir to a file; reading it all');
      return pollFile(st, cp?.type === 'file' ? cp : null, info.size, ctx);
    },
    async close() {
      dropCursor(st);
    },
  };
}
