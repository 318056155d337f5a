import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runFakeQemu } from '../../../helpers/fake-qemu.ts';

describe('runQemu timeouts', () => {
  it('a test that gives no result is killed at the test timeout, and the log says what was running', async () => {
    // A stand-in for qemu-system-x86_64: boots, starts a test, then never reports.
    const guest = 'echo "DAXBOT: init"\necho "DAXBOT: test-start ext4_mmap_rw"\nexec sleep 60';
    const { q, logFile, cleanup } = await runFakeQemu(guest, {
      bootTimeoutMs: 10_000,
      testTimeoutMs: 700,
      overallTimeoutMs: 20_000,
    });
    try {
      expect(q.killed).toBe('test-timeout');
      expect(q.stopped).toBeNull();
      expect(q.lastTest).toBe('ext4_mmap_rw');
      expect(q.killNote).toMatch(/^test-timeout: test ext4_mmap_rw gave no result for \d+ s \(limit 1 s\)$/);
      const log = readFileSync(logFile, 'utf8');
      expect(log).toContain('DAXBOT: test-start ext4_mmap_rw');
      expect(log.trimEnd().split('\n').pop()).toBe(`[daxbot] guest killed: ${q.killNote}`);
      expect(q.durationMs).toBeLessThan(10_000);
    } finally {
      cleanup();
    }
  }, 30_000);
});
