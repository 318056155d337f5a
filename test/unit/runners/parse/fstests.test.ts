import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseFstests } from '../../../../runners/parse/fstests.ts';
import { expectGolden } from '../../../helpers/golden.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const dir = resolve(repoRoot, '..', 'shared', 'corpus', 'lore-nvdimm', 'extracted', 'fstests');

describe('parseFstests', () => {
  it('reads pass, not run, mismatch, exit status and the summary', () => {
    const r = parseFstests(
      [
        'FSTYP         -- xfs (debug)',
        'generic/001 3s ...  4s',
        'generic/002       [not run] this test requires a valid $SCRATCH_DEV',
        'generic/003 5s ... - output mismatch (see /results/generic/003.out.bad)',
        '    --- tests/generic/003.out',
        'xfs/011 12s ... [failed, exit status 1]- output mismatch (see /results/xfs/011.out.bad)',
        'Ran: generic/001 generic/002 generic/003',
        '  xfs/011',
        'Not run: generic/002',
        'Failures: generic/003 xfs/011',
        'Failed 2 of 4 tests',
      ].join('\n'),
    );
    expect(r.tests.map((t) => [t.name, t.status, t.reason ?? null])).toEqual([
      ['generic/001', 'pass', null],
      ['generic/002', 'skip', 'this test requires a valid $SCRATCH_DEV'],
      ['generic/003', 'fail', 'output mismatch (see /results/generic/003.out.bad)'],
      ['xfs/011', 'fail', 'exit status 1'],
    ]);
    expect(r.tests[0]?.durationMs).toBe(4000);
    expect(r.summary).toEqual({
      ran: ['generic/001', 'generic/002', 'generic/003', 'xfs/011'],
      notRun: ['generic/002'],
      failures: ['generic/003', 'xfs/011'],
      failed: 2,
      total: 4,
    });
  });

  it('reads "Passed all" and quoted copies', () => {
    const r = parseFstests('> generic/001 3s ...  3s\n> Ran: generic/001\n> Passed all 1 tests\n');
    expect(r.tests).toEqual([{ suite: 'generic', name: 'generic/001', status: 'pass', durationMs: 3000 }]);
    expect(r.summary?.failed).toBe(0);
  });
});

describe('parseFstests with several runs in one text', () => {
  it('keeps one summary per SECTION and never mixes a quoted run into another', () => {
    const r = parseFstests(
      [
        '> Failures: generic/471 xfs/148',
        'SECTION       -- xfs_dax',
        'Failures: generic/051 xfs/011',
        'Failed 2 of 10 tests',
        'SECTION       -- xfs_dax_noreflink',
        'Ran: xfs/013 xfs/517',
        'Passed all 2 tests',
      ].join('\n'),
    );
    expect(r.sections.map((x) => [x.name, x.summary.failures, x.summary.failed, x.summary.total])).toEqual([
      [null, ['generic/471', 'xfs/148'], null, null],
      ['xfs_dax', ['generic/051', 'xfs/011'], 2, 10],
      ['xfs_dax_noreflink', [], 0, 2],
    ]);
    // The prose list without a closing line is not taken as the run's summary.
    expect(r.summary).toEqual({ ran: [], notRun: [], failures: ['generic/051', 'xfs/011'], failed: 2, total: 10 });
  });
});

describe.skipIf(!existsSync(dir))('parseFstests on real list mail (golden)', () => {
  it('matches the golden results', () => {
    const all: Record<string, unknown> = {};
    for (const f of readdirSync(dir)
      .filter((x) => x.endsWith('.txt'))
      .sort())
      all[f] = parseFstests(readFileSync(resolve(dir, f), 'utf8'));
    expectGolden('parse-output/fstests-results', all);
  });
});
