/**
 * Splitting mbox / mboxrd streams into messages. Pure (no I/O): the incremental
 * `MboxSplitter` takes chunks so large archives are read once, holding only the current
 * message; `splitMbox` is the whole-buffer convenience.
 *
 * Rules (compatible with `git mailsplit --mboxrd` and public-inbox's mboxrd writer):
 * - a separator is a line starting "From " that carries a time and a year, in either the
 *   asctime form (`From mboxrd@z Thu Jan  1 00:00:00 1970`, `From <sha1> Mon Sep 17 00:00:00 2001`)
 *   or the RFC 5322 form (`From a@b Thu, 1 Jan 1970 00:00:00 +0000`). No blank line is required
 *   before it (git format-patch output concatenated with `cat` has none); a body line such as
 *   "From the beginning, ..." has no time and stays part of the body.
 * - mboxrd un-quoting: a body line `>From `, `>>From `, ... loses one `>`.
 * - the blank line that writers put between messages is not part of the message.
 * - CRLF line ends are kept as they are (the message bytes are the source's bytes).
 * - a final message without a trailing newline is kept whole.
 * - a separator followed by nothing (another separator, or the end) is an empty message, handed
 *   on like any other so that the store keeps it, quarantined with the reason: nothing the
 *   stream held is silently dropped.
 */

const FROM = Buffer.from('From ');
const LF = 0x0a;
const CR = 0x0d;
const GT = 0x3e;

const ASCTIME_FROM = /^From \S*\s+.*\d{1,2}:\d{2}(:\d{2})?(\s+[A-Za-z]{1,5}|\s+[+-]\d{4})*\s+\d{4}(\s+[+-]\d{4})?\s*$/;
const RFC5322_FROM =
  /^From \S*\s+.*\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d{1,2}:\d{2}(:\d{2})?(\s+([+-]\d{4}|[A-Za-z]{1,5}))?\s*$/;

/** True when the line (without its line end) is an mbox separator. */
export function isFromLine(line: string): boolean {
  if (!line.startsWith('From ') || line.length < 20) return false;
  return ASCTIME_FROM.test(line) || RFC5322_FROM.test(line);
}

export interface SplitMessage {
  /** The message bytes: no From_ line, mboxrd-unquoted, separating blank line removed. */
  raw: Buffer;
  /** Byte offset of the message's From_ line (or of its first line when it had none) in the stream. */
  offset: number;
  /** Byte offset just after the message, i.e. where the next From_ line starts (or the stream end). */
  end: number;
}

function startsWithFrom(buf: Buffer, start: number, end: number): boolean {
  return end - start >= FROM.length && buf.compare(FROM, 0, FROM.length, start, start + FROM.length) === 0;
}

/** `>+From ` → true (the line is a quoted From and loses its first `>`). */
function isQuotedFrom(buf: Buffer, start: number, end: number): boolean {
  let i = start;
  while (i < end && buf[i] === GT) i++;
  return i > start && startsWithFrom(buf, i, end);
}

function isBlankLine(buf: Buffer, start: number, end: number): boolean {
  const n = end - start;
  return n === 1 ? buf[start] === LF : n === 2 && buf[start] === CR && buf[start + 1] === LF;
}

function lineText(buf: Buffer, start: number, end: number): string {
  let e = end;
  if (e > start && buf[e - 1] === LF) e--;
  if (e > start && buf[e - 1] === CR) e--;
  return buf.toString('latin1', start, e);
}

/**
 * Incremental splitter: `push` chunks, then `end()`. Each returns the messages completed so far.
 * `baseOffset` is the stream offset of the first byte pushed (used when resuming mid-file).
 */
export class MboxSplitter {
  private pending: Buffer | null = null;
  private pendingOffset: number;
  /**
   * The current message as runs of consecutive lines of one chunk (one view per run, not per
   * line: a 50 MiB message has some 700,000 lines, and a view each costs more than the line).
   */
  private parts: Buffer[] = [];
  private run: { buf: Buffer; start: number; end: number } | null = null;
  /** The length of the message's last line when it is blank (the separating blank line), else 0. */
  private trailingBlank = 0;
  private msgOffset = -1;
  /** Whether anything but blank lines was seen before the first separator. */
  private leading = true;

  constructor(baseOffset = 0) {
    this.pendingOffset = baseOffset;
  }

  push(chunk: Buffer): SplitMessage[] {
    const out: SplitMessage[] = [];
    let buf: Buffer;
    if (this.pending && this.pending.length > 0) {
      buf = Buffer.concat([this.pending, chunk]);
    } else {
      buf = chunk;
    }
    const base = this.pendingOffset;
    let pos = 0;
    for (;;) {
      const nl = buf.indexOf(LF, pos);
      if (nl < 0) break;
      this.line(buf, pos, nl + 1, base + pos, out);
      pos = nl + 1;
    }
    // Copy the partial line: keeping a view would pin the whole chunk in memory.
    this.pending = pos < buf.length ? Buffer.from(buf.subarray(pos)) : null;
    this.pendingOffset = base + pos;
    return out;
  }

  end(): SplitMessage[] {
    const out: SplitMessage[] = [];
    if (this.pending && this.pending.length > 0) {
      const buf = this.pending;
      this.line(buf, 0, buf.length, this.pendingOffset, out);
      this.pendingOffset += buf.length;
      this.pending = null;
    }
    this.flush(this.pendingOffset, out);
    return out;
  }

  private line(buf: Buffer, start: number, end: number, offset: number, out: SplitMessage[]): void {
    if (startsWithFrom(buf, start, end) && isFromLine(lineText(buf, start, end))) {
      this.flush(offset, out);
      this.msgOffset = offset;
      this.leading = false;
      return;
    }
    if (this.msgOffset < 0) {
      // Blank lines before the first separator are framing noise (git's test data has some).
      if (this.leading && isBlankLineAt(buf, start, end)) return;
      this.msgOffset = offset;
      this.leading = false;
    }
    if (buf[start] === GT && isQuotedFrom(buf, start, end)) start++;
    this.addLine(buf, start, end);
  }

  private addLine(buf: Buffer, start: number, end: number): void {
    this.trailingBlank = isBlankLine(buf, start, end) ? end - start : 0;
    if (this.run && this.run.buf === buf && this.run.end === start) {
      this.run.end = end;
      return;
    }
    this.closeRun();
    this.run = { buf, start, end };
  }

  private closeRun(): void {
    if (this.run) this.parts.push(this.run.buf.subarray(this.run.start, this.run.end));
    this.run = null;
  }

  private flush(endOffset: number, out: SplitMessage[]): void {
    if (this.msgOffset < 0) return;
    // The separating blank line is the last line, so it ends the last run.
    if (this.run && this.trailingBlank > 0) this.run.end -= this.trailingBlank;
    this.closeRun();
    out.push({ raw: Buffer.concat(this.parts), offset: this.msgOffset, end: endOffset });
    this.parts = [];
    this.trailingBlank = 0;
    this.msgOffset = -1;
  }
}

function isBlankLineAt(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = buf[i];
    if (c !== LF && c !== CR && c !== 0x20 && c !== 0x09) return false;
  }
  return true;
}

/** Splits a whole mbox/mboxrd buffer into its messages. */
export function splitMbox(buf: Buffer): Buffer[] {
  const splitter = new MboxSplitter();
  return [...splitter.push(buf), ...splitter.end()].map((m) => m.raw);
}
