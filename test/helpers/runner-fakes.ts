/**
 * Shared pieces of the runner tests: a finished QEMU run as runQemu reports it (the console
 * decides whether init and done were seen), and temporary folders removed after the file's tests.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import type { QemuRunResult } from '../../runners/qemu/run.ts';

export function qemuRunResult(consoleText: string, over: Partial<QemuRunResult> = {}): QemuRunResult {
  return {
    exitCode: 0,
    console: consoleText,
    stderr: '',
    killed: null,
    lastTest: null,
    lastTestFinished: true,
    initSeen: consoleText.includes('DAXBOT: init'),
    doneSeen: consoleText.includes('DAXBOT: done'),
    testDurations: {},
    bootMs: 1000,
    durationMs: 5000,
    command: ['qemu-system-x86_64'],
    ...over,
  };
}

/** A mkdtemp (under the system's temporary folder) whose folders go when the file's tests end. */
export function tempDirs(): (prefix: string) => Promise<string> {
  const made: string[] = [];
  afterAll(async () => {
    for (const d of made) await rm(d, { recursive: true, force: true });
  });
  return async (prefix) => {
    const d = await mkdtemp(path.join(os.tmpdir(), prefix));
    made.push(d);
    return d;
  };
}
