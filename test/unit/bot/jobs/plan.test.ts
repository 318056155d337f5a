import { describe, expect, it } from 'vitest';
import { plan, type PlanInput } from '../../../../bot/jobs/plan.ts';
import { crashFinding, runResult } from '../../../helpers/pipeline-fakes.ts';

const bad = runResult({ findings: [crashFinding], failureClass: 'kernel' });
const good = runResult();

function input(over: Partial<PlanInput> = {}): PlanInput {
  return {
    now: new Date('2024-06-02T00:00:00Z'),
    complete: true,
    lastDate: '2024-06-01T00:00:00Z',
    incompleteWaitMs: 3_600_000,
    patchCount: 5,
    confirmRepeats: 1,
    seriesRuns: [],
    baseRuns: [],
    bisectRuns: new Map(),
    ...over,
  };
}

describe('plan', () => {
  it('waits for an incomplete series inside its window, tests it after', () => {
    const a = plan(input({ complete: false, lastDate: '2024-06-01T23:30:00Z' }));
    expect(a).toMatchObject({ kind: 'wait', until: new Date('2024-06-02T00:30:00Z') });
    expect(plan(input({ complete: false, lastDate: '2024-06-01T22:00:00Z' })).kind).toBe('run-series');
  });

  it('looks for the base once the series will not wait any more, before the first run; no base ends the job', () => {
    expect(plan(input({ base: 'unknown' }))).toMatchObject({ kind: 'find-base' });
    expect(plan(input({ base: 'unknown', complete: false, lastDate: '2024-06-01T23:30:00Z' })).kind).toBe('wait');
    expect(plan(input({ base: 'none' }))).toMatchObject({ kind: 'no-base' });
    expect(plan(input({ base: 'found' }))).toMatchObject({ kind: 'run-series', repeat: 0 });
  });

  it('runs the series, then the base, then confirms a new failure on both sides', () => {
    expect(plan(input())).toMatchObject({ kind: 'run-series', repeat: 0 });
    expect(plan(input({ seriesRuns: [bad] }))).toMatchObject({ kind: 'run-base', repeat: 0 });
    expect(plan(input({ seriesRuns: [bad], baseRuns: [good] }))).toMatchObject({ kind: 'run-series', repeat: 1 });
    expect(plan(input({ seriesRuns: [bad, bad], baseRuns: [good] }))).toMatchObject({ kind: 'run-base', repeat: 1 });
  });

  it('reuses a cached, confirmed baseline of the base: only the series is confirmed', () => {
    // The baseline cache (same tree commit, runner, config hash, suites) already holds two
    // passing base runs, e.g. from an earlier series on that base.
    const cached = [good, good];
    expect(plan(input({ seriesRuns: [bad], baseRuns: cached }))).toMatchObject({ kind: 'run-series', repeat: 1 });
    expect(plan(input({ seriesRuns: [bad, bad], baseRuns: cached }))).toMatchObject({ kind: 'bisect-step', index: 0 });
    // Cached once (a passing series needed no confirmation): only the missing repeat runs.
    expect(plan(input({ seriesRuns: [bad], baseRuns: [good] }))).toMatchObject({ kind: 'run-series', repeat: 1 });
    expect(plan(input({ seriesRuns: [bad, bad], baseRuns: [good] }))).toMatchObject({ kind: 'run-base', repeat: 1 });
  });

  it('bisects 13 patches with patch 10 bad in ceil(log2 13) = 4 steps, no step run twice', () => {
    const known = { seriesRuns: [bad, bad], baseRuns: [good, good], patchCount: 13 };
    const asked: number[] = [];
    const recorded = new Map<number, ReturnType<typeof runResult>>();
    for (;;) {
      const a = plan(input({ ...known, bisectRuns: recorded }));
      if (a.kind !== 'bisect-step') {
        expect(a).toMatchObject({ kind: 'report', bisection: { firstBad: 10 } });
        break;
      }
      asked.push(a.k);
      recorded.set(a.k, a.k >= 10 ? bad : good);
    }
    expect(asked).toEqual([6, 9, 11, 10]);
  });

  it('reports an apply failure without testing the base', () => {
    const failed = runResult({
      apply: {
        ok: false,
        base: 'c',
        head: null,
        patchCommits: [],
        attempts: [{ base: 'c', reason: 'branch', ok: false, failedPatch: 2 }],
      },
      failureClass: 'patch',
    });
    const a = plan(input({ seriesRuns: [failed] }));
    expect(a.kind).toBe('report');
    if (a.kind === 'report') expect(a.verdict.outcome).toBe('apply-failed');
  });

  it('bisects a confirmed regression and replays recorded steps', () => {
    const base = { seriesRuns: [bad, bad], baseRuns: [good, good] };
    const first = plan(input(base));
    expect(first).toMatchObject({ kind: 'bisect-step', index: 0 });
    // Third patch is bad: 1..2 good, 1..3 bad.
    const runs = new Map([1, 2, 3, 4].map((k) => [k, k >= 3 ? bad : good] as const));
    let recorded = new Map<number, ReturnType<typeof runResult>>();
    let steps = 0;
    for (;;) {
      const a = plan(input({ ...base, bisectRuns: recorded }));
      if (a.kind !== 'bisect-step') {
        expect(a.kind).toBe('report');
        if (a.kind === 'report') {
          expect(a.bisection?.firstBad).toBe(3);
          expect(a.verdict.outcome).toBe('regression');
        }
        break;
      }
      steps++;
      recorded = new Map(recorded).set(a.k, runs.get(a.k) ?? good);
    }
    expect(steps).toBeLessThanOrEqual(Math.ceil(Math.log2(5)));
  });

  it('passes a clean series after one run each, without confirmation', () => {
    const a = plan(input({ seriesRuns: [good], baseRuns: [good] }));
    expect(a.kind).toBe('report');
    if (a.kind === 'report') expect(a.verdict.outcome).toBe('pass');
  });

  it('calls a failure seen on the base pre-existing and does not bisect', () => {
    const a = plan(input({ seriesRuns: [bad], baseRuns: [bad] }));
    expect(a.kind).toBe('report');
    if (a.kind === 'report') {
      expect(a.verdict.outcome).toBe('pre-existing-only');
      expect(a.bisection).toBeNull();
    }
  });
});

describe('plan: a series that does not build', () => {
  const error = (file: string) => ({ file, line: 7, severity: 'error' as const, message: `'x' undeclared` });
  const broken = (file: string) =>
    runResult({
      build: { ok: false, configHash: 'cfg', buildDir: '/b', durationMs: 1, errors: [error(file)], warnings: [] },
      booted: false,
      tests: [],
      failureClass: 'patch',
      summary: 'build failed',
    });
  const builds = runResult({ booted: false, tests: [] });

  it('bisects with build-only steps to the first patch that breaks, and reports that patch errors', () => {
    const base = { patchCount: 4, seriesRuns: [broken('drivers/dax/super.c')], baseRuns: [good] };
    const first = plan(input(base));
    expect(first).toMatchObject({ kind: 'bisect-step', k: 2, buildOnly: true });
    const second = plan(input({ ...base, bisectRuns: new Map([[2, broken('drivers/nvdimm/pmem.c')]]) }));
    expect(second).toMatchObject({ kind: 'bisect-step', k: 1, buildOnly: true });
    const done = plan(
      input({
        ...base,
        bisectRuns: new Map([
          [2, broken('drivers/nvdimm/pmem.c')],
          [1, builds],
        ]),
      }),
    );
    expect(done.kind).toBe('report');
    if (done.kind !== 'report') return;
    expect(done.verdict.outcome).toBe('build-failed');
    expect(done.bisection).toMatchObject({ firstBad: 2, target: { build: true } });
    expect(done.bisection?.steps.map((s) => [s.k, s.result])).toEqual([
      [2, 'bad'],
      [1, 'good'],
    ]);
    expect(done.verdict.buildErrors?.map((e) => e.file)).toEqual(['drivers/nvdimm/pmem.c']);
  });

  it('names the only patch of a one-patch series without a step', () => {
    const a = plan(input({ patchCount: 1, seriesRuns: [broken('fs/dax.c')], baseRuns: [good] }));
    expect(a).toMatchObject({ kind: 'report', bisection: { firstBad: 1, steps: [] } });
  });
});

describe('plan: every patch builds', () => {
  const diag = { file: 'drivers/nvdimm/pmem.c', line: 531, severity: 'error' as const, message: 'no member' };
  const buildOk = { ok: true, configHash: 'cfg', buildDir: '/b', durationMs: 1, errors: [], warnings: [] };
  const builds = runResult({ booted: false, tests: [] });
  const breaks = runResult({
    build: { ...buildOk, ok: false, errors: [diag] },
    booted: false,
    tests: [],
    failureClass: 'patch',
  });
  const passed = { patchCount: 4, seriesRuns: [good], baseRuns: [good], buildEachPatch: true };

  it('after the runtime runs of a series that builds, builds each prefix in order, then reports', () => {
    expect(plan(input(passed))).toEqual({ kind: 'prefix-build', k: 1, n: 4, state: 'building' });
    const one = new Map([[1, builds]]);
    expect(plan(input({ ...passed, prefixBuilds: one }))).toMatchObject({ kind: 'prefix-build', k: 2 });
    const all = new Map([
      [1, builds],
      [2, builds],
      [3, builds],
    ]);
    const a = plan(input({ ...passed, prefixBuilds: all }));
    expect(a.kind).toBe('report');
    if (a.kind === 'report') expect(a.verdict.notBisectable).toBeUndefined();
  });

  it('reports a patch that breaks the build and the later one that fixes it with the runtime verdict', () => {
    const prefixBuilds = new Map([
      [1, builds],
      [2, breaks],
      [3, builds],
    ]);
    const a = plan(input({ ...passed, prefixBuilds }));
    expect(a.kind).toBe('report');
    if (a.kind !== 'report') return;
    expect(a.verdict.outcome).toBe('pass');
    expect(a.verdict.notBisectable).toMatchObject({ n: 4, broken: 2, fixedBy: 3, errors: [diag] });
  });

  it('builds only after a regression is confirmed and bisected, reusing the bisection steps builds', () => {
    const regress = { patchCount: 4, seriesRuns: [bad, bad], baseRuns: [good, good], buildEachPatch: true };
    expect(plan(input(regress))).toMatchObject({ kind: 'bisect-step', k: 2 });
    const bisectRuns = new Map([
      [2, bad],
      [1, good],
    ]);
    // Prefixes 1 and 2 were built by the bisection: only 3 is left.
    expect(plan(input({ ...regress, bisectRuns }))).toMatchObject({ kind: 'prefix-build', k: 3 });
    const a = plan(input({ ...regress, bisectRuns, prefixBuilds: new Map([[3, builds]]) }));
    expect(a).toMatchObject({ kind: 'report', bisection: { firstBad: 2 } });
  });

  it('builds nothing when off, for a single patch, or when the series itself does not build', () => {
    expect(plan(input({ ...passed, buildEachPatch: false })).kind).toBe('report');
    expect(plan(input({ ...passed, patchCount: 1 })).kind).toBe('report');
    const notBuilt = {
      ...passed,
      seriesRuns: [breaks],
      bisectRuns: new Map([
        [2, breaks],
        [1, builds],
      ]),
    };
    expect(plan(input(notBuilt))).toMatchObject({ kind: 'report', verdict: { outcome: 'build-failed' } });
  });
});
