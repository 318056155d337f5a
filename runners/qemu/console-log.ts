/**
 * The guest's console log on disk, bounded. The first `headMax` characters are appended to the
 * file as they arrive (a maintainer can follow a live run); past that, one note line says the
 * middle is held back, only the last `tailMax` characters are kept in memory, and when the guest
 * is gone they are written after a marker naming how many bytes were cut. The file thus ends as
 * the console did (the crash, the results), followed by the run's own closing note (a kill), and
 * never grows past headMax + tailMax and a few lines. A write error (the work folder removed
 * under a running guest) loses the log, never the run.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { HeadTail } from './console-buffer.ts';

export class CappedLog {
  private readonly out: WriteStream;
  private written = 0;
  private readonly rest: HeadTail;

  constructor(
    file: string,
    private readonly headMax: number,
    tailMax: number,
  ) {
    this.out = createWriteStream(file, { flags: 'a' });
    this.out.on('error', () => undefined);
    this.rest = new HeadTail(0, tailMax);
  }

  write(chunk: string): void {
    if (this.written >= this.headMax) {
      this.rest.push(chunk);
      return;
    }
    const take = Math.min(chunk.length, this.headMax - this.written);
    this.out.write(chunk.slice(0, take));
    this.written += take;
    if (this.written < this.headMax) return;
    this.out.write(
      `\n[daxbot] console log past ${this.headMax} characters: the rest is held back, ` +
        `its last ${this.rest.tailMax} characters are written when the guest stops\n`,
    );
    if (take < chunk.length) this.rest.push(chunk.slice(take));
  }

  /** Writes the held-back tail and `closing` (e.g. the kill note), and closes the file. */
  async finish(closing = ''): Promise<void> {
    const tail = this.rest.length > 0 ? this.rest.text() : '';
    await new Promise<void>((resolve) => {
      this.out.end(tail + closing, () => resolve());
      this.out.once('error', () => resolve());
    });
  }
}
