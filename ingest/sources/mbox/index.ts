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

export function createMboxSource(
  config: MboxSourceConfig,
  deps: MboxSourceDeps = {},
): Source & { close(): Promise<void> } {
  // resolve, not join: an absolute path in the config stays as written.
  const path = deps.baseDir ? resolve(deps.baseDir, config.path) : config.path;
  const name = config.name;
  // Kept between polls so a long gzip import decompresses the file once, not once per batch.
  let cursor: MboxCursor | null = null;
  let cursorHash: string | null = null;
  let count = 0;

  function dropCursor(): void {
    cursor?.close();
    cursor = null;
    cursorHash = null;
  }

  async function pollFile(cp: FileCheckpoint | null, size: number, ctx: SourceContext): Promise<PollResult> {
    let start = 0;
    if (cp) {
      const then = cp.headLength > 0 ? await readFileHead(path, cp.headLength) : null;
      const rewritten = size < cp.size || (then !== null && then.hash !== cp.headHash);
      if (rewritten) {
        ctx.log.warn(
          { source: name, path, size, previousSize: cp.size },
          'mbox file was rewritten; reading it again from the start',
        );
      } else if (cp.done && size === cp.size) {
        return { messages: [], nextCheckpoint: JSON.stringify(cp), more: false };
      } else {
        start = cp.offset;
      }
    }
    const fullHead = await readFileHead(path);
    if (!cursor || cursor.offset !== start || cursorHash !== fullHead.hash || cursor.done) {
      dropCursor();
      cursor = new MboxCursor(path, start, fullHead.gzip);
      cursorHash = fullHead.hash;
    }
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
      dropCursor();
      throw new SourceError(
        `cannot read mbox ${path}: ${errorMessage(err)}`,
        { source: name, path, offset: start },
        { cause: err },
      );
    }
    count += messages.length;
    ctx.progress?.(count, null);
    const next: FileCheckpoint = {
      type: 'file',
      offset: cursor.offset,
      size,
      headHash: fullHead.hash,
      headLength: fullHead.length,
      done: cursor.done,
    };
    const more = !cursor.done;
    if (cursor.done) dropCursor();
    return { messages, nextCheckpoint: JSON.stringify(next), more };
  }

  async function pollMaildir(seenList: string[] | null, ctx: SourceContext): Promise<PollResult> {
    const entries = await listMaildir(path);
    const seen = new Set(seenList ?? []);
    const unseen = entries.filter((e) => !seen.has(e.unique));
    const batchSize = ctx.batchSize ?? DEFAULT_BATCH_SIZE;
    const messages: RawMail[] = [];
    const taken: string[] = [];
    for (const entry of unseen.slice(0, batchSize)) {
      const raw = await readMaildirEntry(path, entry);
      if (raw === null) continue;
      messages.push({ raw, origin: `maildir ${entry.rel}` });
      taken.push(entry.unique);
    }
    // Names of deleted messages are dropped so the checkpoint does not grow forever.
    const present = new Set(entries.map((e) => e.unique));
    const nextSeen = [...[...seen].filter((u) => present.has(u)), ...taken].sort();
    count += messages.length;
    ctx.progress?.(count, entries.length);
    return {
      messages,
      nextCheckpoint: JSON.stringify({ type: 'maildir', seen: nextSeen }),
      more: unseen.length > batchSize,
    };
  }

  return {
    name,
    kind: 'mbox',
    async poll(checkpoint, ctx) {
      const cp = parseCheckpoint(checkpointSchema, checkpoint, name);
      let st;
      try {
        st = await stat(path);
      } catch (err) {
        throw new SourceError(
          `mbox source ${name}: cannot read ${path}: ${errorMessage(err)}`,
          { source: name, path },
          { cause: err },
        );
      }
      if (st.isDirectory()) {
        const isMaildir = (
          await Promise.all(
            ['cur', 'new'].map((d) =>
              stat(join(path, d)).then(
                (s) => s.isDirectory(),
                () => false,
              ),
            ),
          )
        ).some(Boolean);
        if (!isMaildir)
          throw new SourceError(`mbox source ${name}: ${path} is a folder without cur/ or new/`, {
            source: name,
            path,
          });
        if (cp && cp.type !== 'maildir')
          ctx.log.warn({ source: name, path }, 'mbox source changed from a file to a maildir; reading it all');
        return pollMaildir(cp?.type === 'maildir' ? cp.seen : null, ctx);
      }
      if (cp && cp.type !== 'file')
        ctx.log.warn({ source: name, path }, 'mbox source changed from a maildir to a file; reading it all');
      return pollFile(cp?.type === 'file' ? cp : null, st.size, ctx);
    },
    async close() {
      dropCursor();
    },
  };
}
