/**
 * Bounded keeping of a text stream (pure, in memory), for a guest console that may print without
 * end (a driver looping on a warning, a test dumping a device, a line that never ends).
 *
 * HeadTail keeps the first `headMax` and the last `tailMax` characters; what fell between is
 * replaced by one marker line saying how many bytes were cut there, so a reader of the kept text
 * (the console analysis, a maintainer) sees both the boot and the end (the crash, the results).
 * LineSplitter cuts the stream into lines in time linear in its length (each chunk is scanned
 * once) and hands on at most `maxLine` characters of a line; the rest of an over-long line is
 * dropped. Both cost memory bounded by their limits plus one chunk, whatever the stream's size.
 */

export const MiB = 1024 * 1024;

/** The marker line put where HeadTail cut the stream. */
export function cutMarker(bytes: number, what: string): string {
  return `[daxbot] ${bytes} bytes of ${what} cut here`;
}

/** A tail shorter than this is searched for a line start, so the kept tail begins with a whole line. */
const LINE_ALIGN = 64 * 1024;

export class HeadTail {
  private readonly head: string[] = [];
  private headLen = 0;
  private readonly tail: string[] = [];
  /** Index of the first live tail chunk (dropped ones are spliced out in batches). */
  private tailStart = 0;
  private tailLen = 0;
  private cutBytes = 0;
  private total = 0;
  /** The last character cut before the tail ("\n": the tail starts with a whole line). */
  private beforeTail = '';

  constructor(
    readonly headMax: number,
    readonly tailMax: number,
  ) {}

  /** Characters seen so far, kept or not. */
  get length(): number {
    return this.total;
  }

  push(chunk: string): void {
    this.total += chunk.length;
    let rest = chunk;
    if (this.headLen < this.headMax) {
      const take = Math.min(rest.length, this.headMax - this.headLen);
      this.head.push(rest.slice(0, take));
      this.headLen += take;
      rest = rest.slice(take);
    }
    if (rest === '') return;
    if (rest.length > this.tailMax) {
      this.cutBytes += Buffer.byteLength(rest.slice(0, rest.length - this.tailMax));
      this.beforeTail = rest.charAt(rest.length - this.tailMax - 1);
      rest = rest.slice(rest.length - this.tailMax);
    }
    this.tail.push(rest);
    this.tailLen += rest.length;
    this.trim();
  }

  /** Drops whole chunks from the front of the tail while the rest still covers tailMax. */
  private trim(): void {
    for (;;) {
      const first = this.tail[this.tailStart];
      if (first === undefined || this.tailLen - first.length < this.tailMax) break;
      this.cutBytes += Buffer.byteLength(first);
      this.beforeTail = first.charAt(first.length - 1);
      this.tailLen -= first.length;
      this.tailStart++;
    }
    if (this.tailStart > 256 && this.tailStart * 2 > this.tail.length) {
      this.tail.splice(0, this.tailStart);
      this.tailStart = 0;
    }
  }

  /** Whether anything was cut. */
  get cut(): boolean {
    return this.cutBytes > 0 || this.tailLen > this.tailMax;
  }

  /** The kept text: head, then (when something was cut) the marker line, then the tail. */
  text(what = 'console output'): string {
    let head = this.head.join('');
    let tail = this.tail.slice(this.tailStart).join('');
    let cut = this.cutBytes;
    let before = this.beforeTail;
    const extra = tail.length - this.tailMax;
    if (extra > 0) {
      cut += Buffer.byteLength(tail.slice(0, extra));
      before = tail.charAt(extra - 1);
      tail = tail.slice(extra);
    }
    if (cut === 0) return head + tail;
    // Cut at line ends where one is near, so the marker stands on its own line between whole lines.
    const last = head.lastIndexOf('\n');
    if (last >= 0 && head.length - last <= LINE_ALIGN) {
      cut += Buffer.byteLength(head.slice(last + 1));
      head = head.slice(0, last + 1);
    }
    const nl = before === '\n' ? -1 : tail.indexOf('\n');
    if (nl >= 0 && nl < LINE_ALIGN && nl < tail.length - 1) {
      cut += Buffer.byteLength(tail.slice(0, nl + 1));
      tail = tail.slice(nl + 1);
    }
    const sep = head === '' || head.endsWith('\n') ? '' : '\n';
    return `${head}${sep}${cutMarker(cut, what)}\n${tail}`;
  }
}

/**
 * Splits a stream into lines as it arrives; `emit` gets each line without its "\n" (and "\r"),
 * cut to `maxLine` characters. `end()` hands on a last line that had no newline.
 */
export class LineSplitter {
  private pending: string[] = [];
  private pendingLen = 0;
  private over = 0;
  /** Lines that were longer than maxLine (and cut). */
  linesCut = 0;

  constructor(
    private readonly maxLine: number,
    private readonly emit: (line: string) => void,
  ) {}

  push(chunk: string): void {
    let from = 0;
    for (let nl = chunk.indexOf('\n'); nl >= 0; nl = chunk.indexOf('\n', from)) {
      if (this.pendingLen === 0 && this.over === 0 && nl - from <= this.maxLine) this.send(chunk.slice(from, nl));
      else {
        this.add(chunk, from, nl);
        this.flush();
      }
      from = nl + 1;
    }
    if (from < chunk.length) this.add(chunk, from, chunk.length);
  }

  end(): void {
    if (this.pendingLen > 0 || this.over > 0) this.flush();
  }

  private add(chunk: string, start: number, end: number): void {
    const take = Math.max(0, Math.min(this.maxLine - this.pendingLen, end - start));
    if (take > 0) {
      this.pending.push(chunk.slice(start, start + take));
      this.pendingLen += take;
    }
    this.over += end - start - take;
  }

  private flush(): void {
    const line = this.pending.join('');
    if (this.over > 0) this.linesCut++;
    this.pending = [];
    this.pendingLen = 0;
    this.over = 0;
    this.send(line);
  }

  private send(line: string): void {
    this.emit(line.endsWith('\r') ? line.slice(0, -1) : line);
  }
}
