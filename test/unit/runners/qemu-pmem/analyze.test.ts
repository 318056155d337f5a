import { describe, expect, it } from 'vitest';
import { analyzeGuestRun, type Parsers } from '../../../../runners/qemu-pmem/analyze.ts';
import type { QemuRunResult } from '../../../../runners/qemu/run.ts';
import type { TestResult } from '../../../../runners/types.ts';

// Stub parsers (the real ones live in runners/parse/ and have their own tests).
const parsers: Parsers = {
  analyzeConsole: (log) =>
    log.includes('BUG: kernel NULL pointer dereference')
      ? [
          {
            title: 'BUG: kernel NULL pointer dereference in ext4_dax_bsize_ok',
            type: 'null-deref',
            rip: 'ext4_dax_bsize_ok+0x5/0x20',
            trace: ['__ext4_fill_super+0x1/0x2'],
            report: 'x',
          },
        ]
      : [],
  parseKtap: (text, suite) =>
    text.split('\n').flatMap((l): TestResult[] => {
      const m = /^(not ok|ok) \d+ (\S+)(?: # (.*))?$/.exec(l);
      if (!m?.[2]) return [];
      return [{ suite, name: m[2], status: /^SKIP/.test(m[3] ?? '') ? 'skip' : m[1] === 'ok' ? 'pass' : 'fail' }];
    }),
};
const limits = { bootTimeoutMs: 60_000, testTimeoutMs: 20_000, overallTimeoutMs: 600_000 };

function run(consoleText: string, over: Partial<QemuRunResult> = {}): QemuRunResult {
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
    command: ['qemu'],
    ...over,
  };
}

const HEAD = 'DAXBOT: init\nDAXBOT: suite-begin dax\nKTAP version 1\n# DAXBOT plan: a b c\n1..3\n';

describe('analyzeGuestRun', () => {
  it('all pass → none', () => {
    const o = analyzeGuestRun(
      run(`${HEAD}ok 1 a\nok 2 b\nok 3 c # SKIP x\nDAXBOT: suite-end dax\nDAXBOT: done\n`),
      ['dax'],
      parsers,
      limits,
    );
    expect(o.failureClass).toBe('none');
    expect(o.tests.map((t) => t.status)).toEqual(['pass', 'pass', 'skip']);
  });

  it('a crash is kernel, with the failing tests', () => {
    const o = analyzeGuestRun(
      run(
        `${HEAD}ok 1 a\n[ 5.0] BUG: kernel NULL pointer dereference, address: 0\nnot ok 2 b # exit status 137\nok 3 c\nDAXBOT: suite-end dax\nDAXBOT: done\n`,
      ),
      ['dax'],
      parsers,
      limits,
    );
    expect(o.failureClass).toBe('kernel');
    expect(o.summary).toContain('ext4_dax_bsize_ok');
    expect(o.summary).toContain('dax.b');
  });

  it('a test timeout is a hang finding naming the test; the rest did not run', () => {
    const q = run(`${HEAD}DAXBOT: test-start a\nok 1 a\nDAXBOT: test-start b\n# injected hang in b\n`, {
      killed: 'test-timeout',
      lastTest: 'b',
      lastTestFinished: false,
      exitCode: null,
    });
    const o = analyzeGuestRun(q, ['dax'], parsers, limits);
    expect(o.failureClass).toBe('kernel');
    expect(o.findings[0]?.type).toBe('hang');
    expect(o.findings[0]?.title).toBe('hang in dax.b: no result after 20 s');
    expect(o.tests.map((t) => [t.name, t.status])).toEqual([
      ['a', 'pass'],
      ['b', 'timeout'],
      ['c', 'error'],
    ]);
  });

  it("a hang the guest's watchdog saw is named by where the stuck task waits, with its stack", () => {
    const watchdog = [
      'DAXBOT: watchdog b 50',
      '# task 60/60 daxio state S wchan futex_wait_queue',
      '#   [<0>] futex_wait_queue+0x4f/0x80',
      '#   [<0>] futex_wait+0xd2/0x180',
      '# task 60/62 daxio state S wchan ext4_break_layouts',
      '#   [<0>] ext4_break_layouts+0x4c/0xd5',
      '#   [<0>] ext4_setattr+0x27b/0x6c2',
      '#   [<0>] do_truncate+0x8a/0xab',
      'DAXBOT: watchdog-end b',
    ].join('\n');
    const q = run(`${HEAD}DAXBOT: test-start a\nok 1 a\nDAXBOT: test-start b\n${watchdog}\n`, {
      killed: 'test-timeout',
      lastTest: 'b',
      lastTestFinished: false,
      exitCode: null,
    });
    const o = analyzeGuestRun(q, ['dax'], parsers, limits);
    expect(o.findings[0]).toMatchObject({
      type: 'hang',
      title: 'hang in dax.b: no result after 20 s, task daxio in ext4_break_layouts',
      trace: ['ext4_break_layouts+0x4c/0xd5', 'ext4_setattr+0x27b/0x6c2', 'do_truncate+0x8a/0xab'],
    });
    // The watchdog lines are diagnostics, not results.
    expect(o.tests.map((t) => [t.name, t.status])).toEqual([
      ['a', 'pass'],
      ['b', 'timeout'],
      ['c', 'error'],
    ]);
  });

  it('QEMU dying before the guest starts is infra', () => {
    const o = analyzeGuestRun(
      run('', { exitCode: 1, stderr: 'qemu-system-x86_64: -object memory-backend-file: misaligned', bootMs: null }),
      ['dax'],
      parsers,
      limits,
    );
    expect(o.failureClass).toBe('infra');
    expect(o.summary).toContain('misaligned');
  });
});

describe('analyzeGuestRun after the suites finished', () => {
  it('a guest that cannot power off after "done" is not a hang', () => {
    const q = run(`${HEAD}ok 1 a\nok 2 b\nok 3 c\nDAXBOT: suite-end dax\nDAXBOT: done\n`, {
      killed: 'shutdown-timeout',
      exitCode: null,
    });
    const o = analyzeGuestRun(q, ['dax'], parsers, limits);
    expect(o.failureClass).toBe('none');
    expect(o.findings).toEqual([]);
  });
});

describe('analyzeGuestRun with the real KTAP parser', () => {
  it('a test that never reported is listed once, by its planned name', async () => {
    const { defaultParsers } = await import('../../../../runners/qemu-pmem/parsers.ts');
    const q = run(`${HEAD}DAXBOT: test-start a\nok 1 a\nDAXBOT: test-start b\n# injected hang in b\n`, {
      killed: 'test-timeout',
      lastTest: 'b',
      lastTestFinished: false,
      exitCode: null,
    });
    const o = analyzeGuestRun(q, ['dax'], defaultParsers, limits);
    expect(o.tests.map((t) => [t.name, t.status])).toEqual([
      ['a', 'pass'],
      ['b', 'timeout'],
      ['c', 'error'],
    ]);
  });
});
