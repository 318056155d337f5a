import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HeadTail, LineSplitter } from '../../../../runners/qemu/console-buffer.ts';
import { CappedLog } from '../../../../runners/qemu/console-log.ts';

describe('HeadTail', () => {
  it('keeps everything while it fits', () => {
    const h = new HeadTail(10, 10);
    for (const c of ['abc\n', 'def\n', 'ghi\n']) h.push(c);
    expect(h.text()).toBe('abc\ndef\nghi\n');
    expect(h.cut).toBe(false);
  });

  it('keeps the first and last lines around a marker counting the bytes cut', () => {
    const h = new HeadTail(12, 12);
    const lines = Array.from({ length: 100 }, (_, i) => `line ${String(i).padStart(2, '0')}\n`);
    for (const l of lines) h.push(l);
    const text = h.text();
    const [head, marker, ...tail] = text.split('\n');
    expect(head).toBe('line 00');
    expect(tail.join('\n')).toBe('line 99\n');
    const cut = Number(/^\[daxbot\] (\d+) bytes of console output cut here$/.exec(marker ?? '')?.[1]);
    expect(cut).toBe(lines.join('').length - 'line 00\n'.length - 'line 99\n'.length);
  });

  it('cuts a chunk larger than the whole tail', () => {
    const h = new HeadTail(4, 4);
    h.push('x'.repeat(1_000_000));
    expect(h.text()).toBe(`xxxx\n[daxbot] 999992 bytes of console output cut here\nxxxx`);
  });
});

describe('LineSplitter', () => {
  it('splits across chunks, strips \\r, hands on the last line at the end', () => {
    const out: string[] = [];
    const s = new LineSplitter(100, (l) => out.push(l));
    for (const c of ['a', 'b\r\nc', 'd\n\ne', 'f']) s.push(c);
    s.end();
    expect(out).toEqual(['ab', 'cd', '', 'ef']);
  });

  it('cuts an over-long line and stays linear on a stream without newlines', () => {
    const out: string[] = [];
    const s = new LineSplitter(64 * 1024, (l) => out.push(l));
    const chunk = 'y'.repeat(64 * 1024);
    const t0 = performance.now();
    for (let i = 0; i < 800; i++) s.push(chunk); // 50 MiB, no newline
    s.push('\nDAXBOT: done\n');
    const ms = performance.now() - t0;
    expect(out.map((l) => l.length)).toEqual([64 * 1024, 'DAXBOT: done'.length]);
    expect(s.linesCut).toBe(1);
    expect(ms).toBeLessThan(2_000);
  });
});

describe('CappedLog', () => {
  it('writes the head as it comes, then the held-back tail after a marker, then the closing note', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'daxbot-log-'));
    try {
      const file = path.join(dir, 'console.log');
      const log = new CappedLog(file, 16, 16);
      for (let i = 0; i < 50; i++) log.write(`line ${String(i).padStart(2, '0')}\n`);
      await log.finish('\n[daxbot] guest killed: x\n');
      const text = readFileSync(file, 'utf8');
      expect(text.startsWith('line 00\nline 01\n\n[daxbot] console log past 16 characters')).toBe(true);
      expect(text).toMatch(
        /\[daxbot\] \d+ bytes of console output cut here\nline 48\nline 49\n\n\[daxbot\] guest killed: x\n$/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
