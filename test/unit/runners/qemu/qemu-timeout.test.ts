import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runQemu } from '../../../../runners/qemu/run.ts';

describe('runQemu timeouts', () => {
  it('a test that gives no result is killed at the test timeout, and the log says what was running', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'daxbot-qemu-'));
    try {
      // A stand-in for qemu-system-x86_64: boots, starts a test, then never reports.
      const fake = path.join(dir, 'fake-qemu');
      writeFileSync(fake, '#!/bin/sh\necho "DAXBOT: init"\necho "DAXBOT: test-start ext4_mmap_rw"\nexec sleep 60\n');
      chmodSync(fake, 0o755);
      const logFile = path.join(dir, 'console.log');
      const q = await runQemu({
        spec: { qemu: fake, kernel: 'bz', initrd: 'ird', append: [], memoryMiB: 256, cpus: 1, nvdimms: [] },
        logFile,
        bootTimeoutMs: 10_000,
        testTimeoutMs: 700,
        overallTimeoutMs: 20_000,
        sandbox: false,
      });
      expect(q.killed).toBe('test-timeout');
      expect(q.lastTest).toBe('ext4_mmap_rw');
      expect(q.killNote).toMatch(/^test-timeout: test ext4_mmap_rw gave no result for \d+ s \(limit 1 s\)$/);
      const log = readFileSync(logFile, 'utf8');
      expect(log).toContain('DAXBOT: test-start ext4_mmap_rw');
      expect(log.trimEnd().split('\n').pop()).toBe(`[daxbot] guest killed: ${q.killNote}`);
      expect(q.durationMs).toBeLessThan(10_000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
