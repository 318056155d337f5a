import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { MboxSplitter, type SplitMessage } from '../mbox-split.ts';

const HEAD_BYTES = 4096;
const CHUNK = 1 << 20;

export interface FileHead {
  /** sha256 of the first `length` bytes of the file as stored (compressed or not). */
  hash: string;
  length: number;
  gzip: boolean;
}

/** Identifies a file's beginning, so a rewritten (not appended) file is noticed. */
export async function readFileHead(path: string, length = HEAD_BYTES): Promise<FileHead> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(length);
    const { bytesRead } = await fh.read(buf, 0, length, 0);
    const head = buf.subarray(0, bytesRead);
    return {
      hash: createHash('sha256').update(head).digest('hex'),
      length: bytesRead,
      gzip: bytesRead >= 2 && head[0] === 0x1f && head[1] === 0x8b,
    };
  } finally {
    await fh.close();
  }
}

/**
 * A resumable pass over an mbox file, one message at a time. Offsets are in the uncompressed
 * stream; a gzip file cannot seek, so resuming it decompresses and drops the bytes before
 * `startOffset` (the source keeps one cursor alive between polls to avoid that in long imports).
 */
export class MboxCursor {
  /** Where the next unread message starts (or the stream end once `done`). */
  offset: number;
  done = false;
  private readonly stream: Readable;
  private readonly iterator: AsyncIterator<unknown>;
  private readonly splitter: MboxSplitter;
  private queue: SplitMessage[] = [];
  private streamPos = 0;
  private ended = false;

  constructor(
    readonly path: string,
    readonly startOffset: number,
    readonly gzip: boolean,
  ) {
    this.offset = startOffset;
    this.splitter = new MboxSplitter(startOffset);
    if (gzip) {
      this.stream = createReadStream(path, { highWaterMark: CHUNK }).pipe(createGunzip({ chunkSize: CHUNK }));
    } else {
      this.stream = createReadStream(path, { start: startOffset, highWaterMark: CHUNK });
      this.streamPos = startOffset;
    }
    this.iterator = this.stream[Symbol.asyncIterator]();
  }

  /** The next message, or null at the end of the file. */
  async next(): Promise<SplitMessage | null> {
    while (this.queue.length === 0) {
      if (this.ended) {
        this.done = true;
        this.offset = Math.max(this.offset, this.streamPos);
        return null;
      }
      const r = await this.iterator.next();
      if (r.done) {
        this.ended = true;
        this.queue.push(...this.splitter.end());
        continue;
      }
      if (!Buffer.isBuffer(r.value)) continue;
      let chunk = r.value;
      const chunkStart = this.streamPos;
      this.streamPos += chunk.length;
      if (this.streamPos <= this.startOffset) continue;
      if (chunkStart < this.startOffset) chunk = chunk.subarray(this.startOffset - chunkStart);
      this.queue.push(...this.splitter.push(chunk));
    }
    const msg = this.queue.shift();
    if (!msg) return null;
    this.offset = msg.end;
    return msg;
  }

  close(): void {
    this.stream.destroy();
  }
}
