import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { judge, needsConfirmation } from '../../../../bot/judge/verdict.ts';
import { crashSignature } from '../../../../bot/judge/signature.ts';
import { crash, makeRun, t } from './make-run.ts';

const repeat = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));

describe('judge', () => {
  it('classifies every kind of test result', () => {
    const baseTests = [
      t('dax-ext4.sh', 'pass'),
      t('dm.sh', 'fail', { reason: 'exit status 1' }),
      t('revoke-devmem', 'fail'),
      t('mmap.sh', 'pass'),
      t('daxctl-create.sh', 'skip', { missingPrerequisite: true, reason: 'exit status 77' }),
      t('sub-section.sh', 'skip'),
      t('device-dax', 'pass'),
    ];
    const seriesTests = [
      t('dax-ext4.sh', 'pass'),
      t('dm.sh', 'fail', { reason: 'exit status 1' }),
      t('revoke-devmem', 'pass'),
      t('mmap.sh', 'timeout', { reason: 'killed after 300 s', excerpt: 'mmap: waiting' }),
      t('daxctl-create.sh', 'skip', { missingPrerequisite: true, reason: 'exit status 77' }),
      t('sub-section.sh', 'skip', { reason: 'not supported' }),
    ];
    const v = judge({
      baseRuns: repeat(3, () => makeRun({ tests: baseTests })),
      seriesRuns: repeat(3, (i) =>
        makeRun({
          tests: i === 1 ? [...seriesTests, t('device-dax', 'fail')] : [...seriesTests, t('device-dax', 'pass')],
        }),
      ),
    });
    const byName = Object.fromEntries(v.entries.map((e) => [e.name, e]));
    expect(byName['dax-ext4.sh']?.class).toBe('pass');
    expect(byName['dm.sh']?.class).toBe('pre-existing');
    expect(byName['revoke-devmem']?.class).toBe('fixed');
    expect(byName['mmap.sh']?.class).toBe('new-failure');
    expect(byName['mmap.sh']?.agreement).toBe('3/3 series runs fail, 0/3 base runs');
    expect(byName['mmap.sh']?.excerpt).toBe('mmap: waiting');
    expect(byName['daxctl-create.sh']?.class).toBe('skipped-prerequisite');
    expect(byName['sub-section.sh']?.class).toBe('skip');
    expect(byName['device-dax']?.class).toBe('flaky');
    expect(byName['device-dax']?.agreement).toBe('1/3 series runs fail, 0/3 base runs');
    expect(v.outcome).toBe('regression');
    expect(v.summary).toBe('1 new test failure; 1 fixed');
    expect(v.environmentProblems.map((e) => e.name)).toEqual(['daxctl-create.sh']);
    // new failures first
    expect(v.entries[0]?.name).toBe('mmap.sh');
  });

  it('never blames a failure that the base shares', () => {
    const tests = [t('dm.sh', 'fail'), t('dax-xfs.sh', 'pass')];
    const v = judge({ baseRuns: [makeRun({ tests })], seriesRuns: [makeRun({ tests })] });
    expect(v.outcome).toBe('pre-existing-only');
    expect(v.entries.some((e) => e.class === 'new-failure')).toBe(false);
  });

  it('passes when nothing fails', () => {
    const tests = [t('dax-xfs.sh', 'pass')];
    const v = judge({ baseRuns: [makeRun({ tests })], seriesRuns: [makeRun({ tests })] });
    expect(v.outcome).toBe('pass');
    expect(v.summary).toBe('no failures');
  });

  it('compares crashes by signature, ignoring addresses, offsets and pids', () => {
    const baseCrash = crash(
      'general protection fault, probably for non-canonical address 0xdead000000000518 in folio_mark_dirty+0x25/0x60',
    );
    const seriesSame = crash(
      'general protection fault, probably for non-canonical address 0xdead000000000400 in folio_mark_dirty+0x27/0x62',
    );
    const seriesNew = crash('BUG: kernel NULL pointer dereference in fs_dax_release');
    const v = judge({
      baseRuns: [makeRun({ findings: [baseCrash] })],
      seriesRuns: [makeRun({ findings: [seriesSame, seriesNew] })],
    });
    const crashes = v.entries.filter((e) => e.kind === 'crash');
    expect(crashes.map((e) => [e.class, e.agreement])).toEqual([
      ['new-failure', '1/1 series runs crash, 0/1 base runs'],
      ['pre-existing', '1/1 series runs crash, 1/1 base runs'],
    ]);
    expect(crashes[1]?.finding).toBe(seriesSame);
    expect(v.outcome).toBe('regression');
  });

  it('normalizes signatures', () => {
    expect(crashSignature('INFO: task mmap:1295 blocked for more than 122 seconds.')).toBe(
      crashSignature('INFO: task mmap:77 blocked for more than 120 seconds.'),
    );
    expect(crashSignature('WARNING in unmap_region.constprop.0+0xd7/0x150')).toBe('WARNING in unmap_region');
    expect(crashSignature('BUG: unable to handle kernel NULL pointer dereference at 0000000000000440')).toBe(
      'BUG: unable to handle kernel NULL pointer dereference at ADDR',
    );
  });

  it('reports apply and build failures before anything else', () => {
    const applied = judge({
      baseRuns: [makeRun()],
      seriesRuns: [
        makeRun({
          failureClass: 'patch',
          apply: {
            ok: false,
            base: null,
            head: null,
            patchCommits: [],
            attempts: [
              {
                base: 'c'.repeat(40),
                reason: 'base-commit trailer',
                ok: false,
                failedPatch: 3,
                conflictFiles: ['fs/dax.c'],
              },
            ],
          },
        }),
      ],
    });
    expect(applied.outcome).toBe('apply-failed');
    expect(applied.summary).toBe('patch 3 does not apply to cccccccccccc');
    expect(applied.applyFailure?.conflictFiles).toEqual(['fs/dax.c']);
    const build = {
      ok: false,
      configHash: 'x',
      buildDir: '/b',
      durationMs: 1,
      errors: [{ file: 'fs/dax.c', line: 12, severity: 'error' as const, message: 'boom' }],
      warnings: [],
    };
    const built = judge({ baseRuns: [makeRun()], seriesRuns: [makeRun({ failureClass: 'patch', build })] });
    expect(built.outcome).toBe('build-failed');
    expect(built.buildErrors?.[0]?.message).toBe('boom');
    const both = judge({ baseRuns: [makeRun({ build })], seriesRuns: [makeRun({ build })] });
    expect(both.outcome).toBe('infra');
  });

  it('drops infra runs and says infra when nothing usable is left', () => {
    const v = judge({ baseRuns: [makeRun()], seriesRuns: [makeRun({ failureClass: 'infra', summary: 'QEMU died' })] });
    expect(v.outcome).toBe('infra');
    expect(v.infraRuns).toEqual({ base: 0, series: 1 });
    const w = judge({
      baseRuns: [makeRun({ tests: [t('a', 'pass')] })],
      seriesRuns: [makeRun({ failureClass: 'infra' }), makeRun({ tests: [t('a', 'pass')] })],
    });
    expect(w.outcome).toBe('pass');
    expect(w.seriesRuns).toBe(1);
  });

  it('treats a flaky base as flaky, never as a regression', () => {
    const v = judge({
      baseRuns: [makeRun({ tests: [t('a', 'fail')] }), makeRun({ tests: [t('a', 'pass')] })],
      seriesRuns: [makeRun({ tests: [t('a', 'fail')] }), makeRun({ tests: [t('a', 'fail')] })],
    });
    expect(v.entries[0]?.class).toBe('flaky');
    expect(v.outcome).toBe('pre-existing-only');
  });
});

describe('needsConfirmation', () => {
  const newFail = (seriesN: number, baseN: number) =>
    judge({
      baseRuns: repeat(baseN, () => makeRun({ tests: [t('a', 'pass')] })),
      seriesRuns: repeat(seriesN, () => makeRun({ tests: [t('a', 'fail')] })),
    });
  it('asks for repeats until a new failure is confirmed', () => {
    expect(needsConfirmation(newFail(1, 1), 1)).toMatchObject({ needed: true, series: 1, base: 1 });
    expect(needsConfirmation(newFail(2, 1), 1)).toMatchObject({ needed: true, series: 0, base: 1 });
    expect(needsConfirmation(newFail(2, 2), 1)).toMatchObject({ needed: false });
    expect(needsConfirmation(newFail(1, 1), 0)).toMatchObject({ needed: false });
  });
  it('repeats a series-only flaky failure up to maxRuns', () => {
    const v = judge({
      baseRuns: repeat(2, () => makeRun({ tests: [t('a', 'pass')] })),
      seriesRuns: [makeRun({ tests: [t('a', 'fail')] }), makeRun({ tests: [t('a', 'pass')] })],
    });
    expect(needsConfirmation(v, 1)).toMatchObject({ needed: true, series: 2, base: 2 });
    expect(needsConfirmation(v, 1, { maxRuns: 2 })).toMatchObject({ needed: false });
  });
  it('never repeats deterministic or infra outcomes', () => {
    const v = judge({ baseRuns: [makeRun()], seriesRuns: [makeRun({ failureClass: 'infra' })] });
    expect(needsConfirmation(v, 3).needed).toBe(false);
  });
});

const syzDir = resolve(
  import.meta.dirname,
  '..',
  '..',
  '..',
  '..',
  '..',
  'shared',
  'corpus',
  'syzkaller',
  'linux',
  'report',
);

describe.skipIf(!existsSync(syzDir))('crashSignature on syzkaller titles', () => {
  it('keeps distinct real titles distinct and is idempotent', () => {
    const titles = new Set<string>();
    for (const f of readdirSync(syzDir)) {
      const head = readFileSync(join(syzDir, f), 'latin1').replace(/\r/g, '').split('\n\n')[0] ?? '';
      for (const m of head.matchAll(/^TITLE: (.+)$/gm)) if (m[1]) titles.add(m[1].trim());
    }
    expect(titles.size).toBeGreaterThan(300);
    const bySig = new Map<string, string[]>();
    for (const t of titles) {
      const s = crashSignature(t);
      expect(crashSignature(s)).toBe(s);
      bySig.set(s, [...(bySig.get(s) ?? []), t]);
    }
    const merged = [...bySig.values()].filter((v) => v.length > 1);
    expect(merged).toEqual([]);
  });
});
