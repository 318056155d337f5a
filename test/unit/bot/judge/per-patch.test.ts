import { describe, expect, it } from 'vitest';
import { perPatchNext } from '../../../../bot/judge/per-patch.ts';
import type { RunResult } from '../../../../runners/types.ts';
import { makeRun } from './make-run.ts';

const diag = { file: 'drivers/nvdimm/pmem.c', line: 531, column: 6, severity: 'error' as const, message: 'no member' };
const builds = makeRun({
  booted: false,
  build: { ok: true, configHash: 'c', buildDir: '/b', durationMs: 1, errors: [], warnings: [] },
});
const breaks = makeRun({
  booted: false,
  failureClass: 'patch',
  build: { ok: false, configHash: 'c', buildDir: '/b', durationMs: 1, errors: [diag], warnings: [] },
});
const noApply = makeRun({
  apply: { ok: false, base: 'a', head: null, patchCommits: [], attempts: [] },
  failureClass: 'patch',
});
const of = (...runs: RunResult[]): Map<number, RunResult> => new Map(runs.map((r, i) => [i + 1, r]));

describe('perPatchNext', () => {
  it('asks for the prefixes in order, each once', () => {
    expect(perPatchNext(4, new Map())).toEqual({ build: 1 });
    expect(perPatchNext(4, of(builds))).toEqual({ build: 2 });
    expect(perPatchNext(4, of(builds, builds))).toEqual({ build: 3 });
  });

  it('finds nothing when every prefix builds, and asks nothing of a single patch', () => {
    expect(perPatchNext(4, of(builds, builds, builds))).toEqual({ done: true, finding: null });
    expect(perPatchNext(1, new Map())).toEqual({ done: true, finding: null });
  });

  it('names the first patch that breaks the build and the next that builds, and stops there', () => {
    const r = perPatchNext(5, of(builds, breaks, breaks, builds));
    expect(r).toEqual({
      done: true,
      finding: {
        n: 5,
        broken: 2,
        fixedBy: 4,
        errors: [diag],
        note: 'does not build: drivers/nvdimm/pmem.c:531: no member',
      },
    });
    // Prefix 4 was not needed once 3 builds.
    expect(perPatchNext(5, of(builds, breaks, builds))).toMatchObject({ done: true, finding: { fixedBy: 3 } });
  });

  it('has the whole series fix it when no prefix after the break builds', () => {
    expect(perPatchNext(3, of(breaks, breaks))).toMatchObject({ done: true, finding: { broken: 1, fixedBy: 3 } });
  });

  it('passes over a prefix that could not answer', () => {
    expect(perPatchNext(4, of(noApply, breaks, builds))).toMatchObject({ finding: { broken: 2, fixedBy: 3 } });
    expect(perPatchNext(4, of(breaks, noApply, builds))).toMatchObject({ finding: { broken: 1, fixedBy: 3 } });
  });

  it('refuses a series of no patches', () => {
    expect(() => perPatchNext(0, new Map())).toThrow(RangeError);
  });
});
