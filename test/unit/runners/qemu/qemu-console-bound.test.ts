/**
 * A guest that floods its console: 200 MiB of lines, or 50 MiB without a newline, then a kernel
 * oops and its results. The bot's memory stays bounded (peak RSS and heap growth measured while
 * the guest prints), the crash and the results are still read from the kept console, and the
 * console log on disk says what was cut and still ends with the crash and the bot's closing note.
 */
import { readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzeGuestRun } from '../../../../runners/core/analyze.ts';
import { defaultParsers } from '../../../../runners/core/parsers.ts';
import { echoLines, OOPS_LINES, runFakeQemu } from '../../../helpers/fake-qemu.ts';

const MiB = 1024 * 1024;
const limits = { bootTimeoutMs: 20_000, testTimeoutMs: 20_000, overallTimeoutMs: 60_000 };

/** Peak growth of RSS and heap over the baseline while `work` runs (sampled every 20 ms). */
async function peakGrowth<T>(work: () => Promise<T>): Promise<{ value: T; rssMiB: number; heapMiB: number }> {
  const base = process.memoryUsage();
  let rss = base.rss;
  let heap = base.heapUsed;
  const sample = setInterval(() => {
    const m = process.memoryUsage();
    rss = Math.max(rss, m.rss);
    heap = Math.max(heap, m.heapUsed);
  }, 20);
  try {
    const value = await work();
    return { value, rssMiB: (rss - base.rss) / MiB, heapMiB: (heap - base.heapUsed) / MiB };
  } finally {
    clearInterval(sample);
  }
}

/** A guest that starts test a, runs `flood` (shell), crashes, finishes its suite and hangs. */
function floodingGuest(flood: string): string {
  return [
    echoLines(['DAXBOT: init', 'DAXBOT: suite-begin dax', 'KTAP version 1', '1..2', '# DAXBOT plan: a b']),
    echoLines(['DAXBOT: test-start a']),
    flood,
    'echo',
    echoLines(OOPS_LINES),
    echoLines(['not ok 1 a # exit status 137', 'DAXBOT: test-start b', 'ok 2 b', 'DAXBOT: suite-end dax']),
    echoLines(['DAXBOT: done']),
    'exec sleep 60',
  ].join('\n');
}

async function floodCase(name: string, flood: string, floodBytes: number): Promise<void> {
  let longest = 0;
  const onLine = (line: string): void => {
    longest = Math.max(longest, line.length);
  };
  const { value: run, rssMiB, heapMiB } = await peakGrowth(() => runFakeQemu(floodingGuest(flood), { onLine }));
  const { q, logFile, cleanup } = run;
  try {
    const logBytes = statSync(logFile).size;
    console.log(
      `${name}: ${floodBytes / MiB} MiB printed in ${(q.durationMs / 1000).toFixed(1)} s; peak growth RSS ` +
        `${rssMiB.toFixed(0)} MiB, heap ${heapMiB.toFixed(0)} MiB; kept console ${(q.console.length / MiB).toFixed(1)} MiB, ` +
        `log file ${(logBytes / MiB).toFixed(1)} MiB; stopped ${q.shutdownMs} ms after done`,
    );
    // What is kept is ~12 MiB (console head and tail, the log's tail); the rest of the growth is
    // garbage V8 lets pile up before a full collection: measured the same for 200 and 800 MiB.
    expect(rssMiB).toBeLessThan(200);
    expect(heapMiB).toBeLessThan(160);
    expect(q.console.length).toBeLessThan(8.5 * MiB);
    expect(longest).toBeLessThanOrEqual(64 * 1024);
    expect(q.console).toMatch(/\n\[daxbot\] \d+ bytes of console output cut here\n/);
    const cut = Number(/\[daxbot\] (\d+) bytes of console output cut here/.exec(q.console)?.[1]);
    expect(cut).toBeGreaterThan(floodBytes - 8.5 * MiB);
    // The finding and the results printed after the flood are still read.
    const outcome = analyzeGuestRun(q, ['dax'], defaultParsers, limits);
    expect(outcome.findings[0]?.title).toContain('ext4_dax_bsize_ok');
    expect(outcome.tests.map((t) => [t.name, t.status])).toEqual([
      ['a', 'fail'],
      ['b', 'pass'],
    ]);
    expect(q.doneSeen).toBe(true);
    expect(q.stopped).toBe('results-complete');
    // The log is capped, says what was cut, and ends with the crash, the results and the stop.
    expect(logBytes).toBeLessThan(8.5 * MiB);
    const log = readFileSync(logFile, 'utf8');
    expect(log).toContain('[daxbot] console log past');
    expect(log).toMatch(/\[daxbot\] \d+ bytes of console output cut here/);
    const end = log.slice(-4096);
    expect(end).toContain('BUG: kernel NULL pointer dereference');
    expect(end).toContain('DAXBOT: done');
    expect(log.trimEnd().split('\n').pop()).toBe(`[daxbot] guest stopped: ${q.stopNote}`);
  } finally {
    cleanup();
  }
}

describe('runQemu on a guest that floods its console', () => {
  it('200 MiB of console lines: memory bounded, the crash and the results read, the cut said', async () => {
    const line = `[    5.000000] flood: a driver that prints the same line again and again${'.'.repeat(60)}`;
    await floodCase('200 MiB of lines', `yes '${line}' | head -c ${200 * MiB}`, 200 * MiB);
  }, 60_000);

  it('50 MiB without a newline: memory bounded, the over-long line cut, the crash and the results read', async () => {
    await floodCase('50 MiB, no newline', `head -c ${50 * MiB} /dev/zero | tr '\\0' x`, 50 * MiB);
  }, 60_000);

  it("QEMU's own stderr is bounded too, and says what was cut", async () => {
    const { q, cleanup } = await runFakeQemu(`yes 'qemu-system-x86_64: warning: noisy' | head -c ${20 * MiB} >&2`);
    try {
      expect(q.stderr.length).toBeLessThan(600 * 1024);
      expect(q.stderr).toMatch(/\n\[daxbot\] \d+ bytes of QEMU stderr cut here\nqemu-system-x86_64: warning: noisy\n/);
    } finally {
      cleanup();
    }
  }, 60_000);
});
