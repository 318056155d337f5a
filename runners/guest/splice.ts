/**
 * Undoes the kernel's splicing of its messages into the guest's own console lines (pure).
 *
 * The kernel writes its records to the serial console directly, while the guest's lines go through
 * the tty, so a record can land in the middle of a guest line: the console then shows
 * "DAXBOT: suite-begin ndctl-meson[    7.703739] nfit_test nfit_test.0: ..." (the record, with its
 * own line end), then the rest of the guest line on the next line (often just its line end, an
 * empty line). Read as is, the marker names a suite "ndctl-meson[" and the suite's section is lost.
 * Unsplicing gives the record its own line and joins the guest line's two halves after it.
 *
 * A record is taken as spliced only where a quoted kernel log cannot be: right after a
 * character that is neither blank nor a quote, or anywhere in a marker line ("DAXBOT: ...") or a
 * KTAP result line. A guest line that quotes dmesg (after "# ", ": " or in a JSON string) stays as
 * it is, and so does a line of JSON the guest wrote (meson's per-test log lines).
 */

/** A kernel record header with PRINTK_TIME, "[    7.703739]", somewhere in a line. */
const HEADER = /\[\s*\d+\.\d{6}\]/;
/** A line that is a kernel record (its header first). */
const RECORD = new RegExp(`^\\s*${HEADER.source}`);
/** Guest lines that never quote the kernel log. */
const OWN_LINE = /^(DAXBOT: |(?:not )?ok \d+ )/;
/** Guest lines of JSON, which quote the kernel log in their strings (runners/nfit-sim/meson-run.py). */
const JSON_LINE = /DAXBOT-MESON-LOG \{/;

/** Where a kernel record starts inside a guest line, or -1 (the line is whole). */
export function spliceAt(line: string): number {
  if (RECORD.test(line) || JSON_LINE.test(line)) return -1;
  const m = HEADER.exec(line);
  if (!m || m.index === 0) return -1;
  const before = line[m.index - 1] ?? ' ';
  return /[\s"']/.test(before) && !OWN_LINE.test(line) ? -1 : m.index;
}

/**
 * Lines in, unspliced lines out, as they stream: a spliced guest line's first half is held until
 * its rest arrives (the first line after it that is not a kernel record), then the joined line is
 * passed on. The records that came in between are held too, up to `holdRecords` of them, and
 * passed on after the joined line: the guest had already written its line when the kernel printed
 * them, so they belong after it (a test-start marker's records are that test's). A live watcher
 * holds none, so a panic is seen at once. Lines keep their "\r" when they have one.
 */
export class Unsplicer {
  private held: string | null = null;
  private records: string[] = [];

  constructor(
    private readonly emit: (line: string) => void,
    private readonly holdRecords = 0,
  ) {}

  push(line: string): void {
    let cur = line;
    if (this.held !== null) {
      if (RECORD.test(cur)) return this.passRecord(cur);
      cur = this.held + cur;
      this.held = null;
    }
    // A joined line is looked at again: the kernel can write twice into the same guest line.
    const at = spliceAt(cur);
    if (at > 0) {
      this.held = cur.slice(0, at);
      return this.passRecord(cur.slice(at));
    }
    this.emit(cur);
    this.flushRecords();
  }

  /** Passes on what is held: the guest stopped, or the rest never came. */
  end(): void {
    if (this.held !== null) this.emit(this.held);
    this.held = null;
    this.flushRecords();
  }

  private passRecord(record: string): void {
    if (this.records.length < this.holdRecords) return void this.records.push(record);
    // This many records in a row: the guest line's rest is not coming, it stands as it is.
    if (this.holdRecords > 0) this.end();
    this.emit(record);
  }

  private flushRecords(): void {
    const records = this.records;
    this.records = [];
    for (const r of records) this.emit(r);
  }
}

/** Records a whole text holds back behind a spliced line (more: the rest is not coming). */
const TEXT_HOLD_RECORDS = 200;

/** The whole console text, unspliced, each spliced line's records after it. */
export function unsplice(text: string): string {
  if (!HEADER.test(text)) return text;
  const out: string[] = [];
  const u = new Unsplicer((l) => out.push(l), TEXT_HOLD_RECORDS);
  for (const line of text.split('\n')) u.push(line);
  u.end();
  return out.join('\n');
}
