/**
 * When runQemu ends a guest that printed "DAXBOT: done": a crashed guest whose results are complete
 * is stopped at once (not after a shutdown timeout), a guest that powers off by itself is not
 * marked at all, a crash in the middle of a suite stops nothing while tests remain, and a kernel
 * panic that halts the guest ends the run at once. Each fake guest hangs (sleep 60) where a real
 * crashed one would hang in `poweroff -f`.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzeGuestRun } from '../../../../runners/core/analyze.ts';
import { defaultParsers } from '../../../../runners/core/parsers.ts';
import { echoLines, OOPS_LINES, runFakeQemu } from '../../../helpers/fake-qemu.ts';

const HEAD = ['DAXBOT: init', 'DAXBOT: suite-begin dax', 'KTAP version 1', '1..2', '# DAXBOT plan: a b'];
const limits = { bootTimeoutMs: 20_000, testTimeoutMs: 20_000, overallTimeoutMs: 60_000 };

describe('runQemu after the results are complete', () => {
  it('a guest that crashed, printed done and hangs is stopped within 2 s, as no kill', async () => {
    const guest = [
      echoLines([...HEAD, 'DAXBOT: test-start a', ...OOPS_LINES, 'not ok 1 a # exit status 137']),
      echoLines(['DAXBOT: test-start b', 'ok 2 b', 'DAXBOT: suite-end dax', 'DAXBOT: done']),
      'exec sleep 60',
    ].join('\n');
    const { q, logFile, cleanup } = await runFakeQemu(guest);
    try {
      console.log(`crashed guest after done: stopped ${q.shutdownMs} ms after "DAXBOT: done" (was 15 s)`);
      expect(q.shutdownMs).toBeLessThan(2_000);
      expect(q.durationMs).toBeLessThan(5_000);
      expect(q.killed).toBeNull();
      expect(q.killNote).toBeNull();
      expect(q.stopped).toBe('results-complete');
      expect(q.stopNote).toMatch(/^results-complete: results complete \("DAXBOT: done"\) after a kernel crash/);
      expect(readFileSync(logFile, 'utf8').trimEnd().split('\n').pop()).toBe(`[daxbot] guest stopped: ${q.stopNote}`);
      // Read as a crash with complete results: no hang, no infrastructure failure.
      const o = analyzeGuestRun(q, ['dax'], defaultParsers, limits);
      expect(o.failureClass).toBe('kernel');
      expect(o.findings.map((f) => f.type)).not.toContain('hang');
      expect(o.tests.map((t) => [t.name, t.status])).toEqual([
        ['a', 'fail'],
        ['b', 'pass'],
      ]);
    } finally {
      cleanup();
    }
  }, 30_000);

  it('a guest that crashed in one test and goes on with the next is not stopped before its tests finish', async () => {
    const guest = [
      echoLines([...HEAD, 'DAXBOT: test-start a', ...OOPS_LINES, 'not ok 1 a # exit status 137']),
      echoLines(['DAXBOT: test-start b']),
      'sleep 3',
      echoLines(['ok 2 b', 'DAXBOT: suite-end dax', 'DAXBOT: done']),
    ].join('\n');
    const { q, cleanup } = await runFakeQemu(guest);
    try {
      expect(q.durationMs).toBeGreaterThanOrEqual(3_000);
      expect(q.lastTest).toBe('b');
      expect(q.lastTestFinished).toBe(true);
      expect(q.doneSeen).toBe(true);
      expect(q.killed).toBeNull();
      // Once done is printed the results are complete: a stop racing the guest's own exit is right.
      expect([null, 'results-complete']).toContain(q.stopped);
    } finally {
      cleanup();
    }
  }, 30_000);

  it('a guest that prints done and powers off by itself is neither killed nor stopped', async () => {
    const { q, logFile, cleanup } = await runFakeQemu(echoLines([...HEAD, 'ok 1 a', 'ok 2 b', 'DAXBOT: done']));
    try {
      expect(q.exitCode).toBe(0);
      expect(q.killed).toBeNull();
      expect(q.stopped).toBeNull();
      expect(q.shutdownMs).toBeLessThan(1_000);
      expect(readFileSync(logFile, 'utf8')).not.toContain('[daxbot]');
    } finally {
      cleanup();
    }
  }, 30_000);

  it('a crash-free guest that prints done and does not power off is killed at the short shutdown timeout', async () => {
    const { q, cleanup } = await runFakeQemu(
      `${echoLines([...HEAD, 'ok 1 a', 'ok 2 b', 'DAXBOT: done'])}\nexec sleep 60`,
    );
    try {
      expect(q.killed).toBe('shutdown-timeout');
      expect(q.shutdownMs).toBeLessThan(2_500);
      expect(analyzeGuestRun(q, ['dax'], defaultParsers, limits).failureClass).toBe('none');
    } finally {
      cleanup();
    }
  }, 30_000);

  it('a kernel panic that halts the guest in the middle of a test ends the run at once', async () => {
    const panic = [
      '[   43.000000] Kernel panic - not syncing: Fatal exception',
      '[   43.000001] ---[ end Kernel panic - not syncing: Fatal exception ]---',
    ];
    const guest = `${echoLines([...HEAD, 'DAXBOT: test-start a', ...OOPS_LINES, ...panic])}\nexec sleep 60`;
    const { q, cleanup } = await runFakeQemu(guest);
    try {
      expect(q.durationMs).toBeLessThan(5_000);
      expect(q.killed).toBeNull();
      expect(q.stopped).toBe('kernel-panic');
      expect(q.lastTestFinished).toBe(false);
      const o = analyzeGuestRun(q, ['dax'], defaultParsers, limits);
      expect(o.findings[0]?.title).toContain('ext4_dax_bsize_ok');
      expect(o.findings.map((f) => f.type)).not.toContain('hang');
    } finally {
      cleanup();
    }
  }, 30_000);
});
