import type { Finding, RunResult, TestResult } from '../../../../runners/types.ts';

/** A RunResult with defaults, for judge tests. */
export function makeRun(over: Partial<RunResult> = {}): RunResult {
  return {
    runner: 'qemu-pmem',
    tree: 'linux',
    base: 'a'.repeat(40),
    head: 'b'.repeat(40),
    configHash: 'cfg1',
    apply: null,
    build: null,
    booted: true,
    tests: [],
    findings: [],
    failureClass: 'none',
    summary: '',
    consoleLog: null,
    timings: {},
    ...over,
  };
}

export function t(name: string, status: TestResult['status'], extra: Partial<TestResult> = {}): TestResult {
  return { suite: 'ndctl', name, status, ...extra };
}

export function crash(title: string): Finding {
  return {
    title,
    type: 'null-deref',
    rip: null,
    trace: ['fs_dax_release+0x5/0x90', 'ext4_fill_super+0x31b/0x39d0'],
    report: title,
  };
}
