import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseMesonTest } from '../../../../runners/parse/meson.ts';
import { expectGolden } from '../../../helpers/golden.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const mesonDir = resolve(repoRoot, '..', 'shared', 'corpus', 'lore-nvdimm', 'extracted', 'meson');

describe('parseMesonTest', () => {
  it('reads statuses, durations, exit status 77 and the summary', () => {
    const r = parseMesonTest(
      [
        ' 1/5 ndctl:ndctl / libndctl               OK              10.12s',
        ' 2/5 ndctl:ndctl / dsm-fail               SKIP             0.23s   exit status 77',
        ' 3/5 ndctl:dax / dax-ext4.sh              FAIL             1.50s   exit status 1',
        ' 4/5 ndctl:dax / mmap.sh                  TIMEOUT        600.01s   killed by signal 15 SIGTERM',
        ' 5/5 ndctl:cxl / cxl-topology.sh          EXPECTEDFAIL     0.40s   exit status 1',
        '',
        'Ok:                 1',
        'Expected Fail:      1',
        'Fail:               1',
        'Unexpected Pass:    0',
        'Skipped:            1',
        'Timeout:            1',
      ].join('\n'),
    );
    expect(r.tests.map((t) => [t.suite, t.name, t.status])).toEqual([
      ['ndctl', 'libndctl', 'pass'],
      ['ndctl', 'dsm-fail', 'skip'],
      ['dax', 'dax-ext4.sh', 'fail'],
      ['dax', 'mmap.sh', 'timeout'],
      ['cxl', 'cxl-topology.sh', 'pass'],
    ]);
    expect(r.tests[0]?.durationMs).toBe(10120);
    expect(r.tests[1]).toMatchObject({ missingPrerequisite: true, reason: 'exit status 77: missing prerequisite' });
    expect(r.tests[2]?.reason).toBe('exit status 1');
    expect(r.summary).toEqual({ ok: 1, expectedFail: 1, fail: 1, unexpectedPass: 0, skip: 1, timeout: 1 });
  });

  it('handles quoted, timestamped and wrapped lines and drops the duplicate quoted copy', () => {
    const r = parseMesonTest(
      [
        '> [   51s]  1/23 ndctl:ndctl / libndctl               SKIP',
        '> 0.02s   exit status 77',
        '>  2/23 ndctl:ndctl / dsm-fail   OK   0.30s',
        ' 2/23 ndctl:ndctl / dsm-fail   OK   0.30s',
      ].join('\n'),
    );
    expect(r.tests).toHaveLength(2);
    expect(r.tests[0]).toMatchObject({ name: 'libndctl', status: 'skip', missingPrerequisite: true, durationMs: 20 });
    expect(r.summary).toBeNull();
  });
});

describe.skipIf(!existsSync(mesonDir))('parseMesonTest on real list mail (golden)', () => {
  it('matches the golden results and the known counts', () => {
    const files = readdirSync(mesonDir)
      .filter((f) => f.endsWith('.txt'))
      .sort();
    const all: Record<string, unknown> = {};
    for (const f of files) all[f] = parseMesonTest(readFileSync(resolve(mesonDir, f), 'utf8'));
    expectGolden('parse-output/meson-results', all);
    // 03553.txt: 72 tests with +PAPR/+INTEL setups; its summary says Ok 37, Fail 3, Skipped 32.
    const big = parseMesonTest(readFileSync(resolve(mesonDir, '03553.txt'), 'utf8'));
    expect(big.tests).toHaveLength(72);
    expect(big.summary).toEqual({ ok: 37, expectedFail: 0, fail: 3, unexpectedPass: 0, skip: 32, timeout: 0 });
    expect(big.tests.filter((t) => t.status === 'pass')).toHaveLength(37);
    expect(big.tests.filter((t) => t.status === 'skip')).toHaveLength(32);
    expect(big.tests.find((t) => t.name === 'firmware-update.sh')).toMatchObject({
      suite: 'ndctl+INTEL',
      status: 'fail',
      reason: 'exit status 1',
    });
    // 07906.txt: a --suite ndctl:dax run that crashed the kernel in dax-ext4.sh.
    const dax = parseMesonTest(readFileSync(resolve(mesonDir, '07906.txt'), 'utf8'));
    expect(dax.tests[0]).toMatchObject({ suite: 'dax', name: 'daxdev-errors.sh', status: 'pass', durationMs: 14460 });
  });
});
