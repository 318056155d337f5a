import { describe, expect, it } from 'vitest';
import { classifyStep, nextStep, type BisectStep, type StepResult } from '../../../../bot/judge/bisect-series.ts';
import { crashSignature } from '../../../../bot/judge/signature.ts';
import { crash, makeRun, t } from './make-run.ts';

function simulate(n: number, oracle: (k: number) => StepResult) {
  const steps: BisectStep[] = [];
  for (let guard = 0; guard < 100; guard++) {
    const next = nextStep({ n, steps });
    if ('done' in next) return { next, steps };
    expect(steps.some((s) => s.k === next.test)).toBe(false);
    expect(next.test).toBeGreaterThanOrEqual(1);
    expect(next.test).toBeLessThan(n);
    steps.push({ k: next.test, result: oracle(next.test) });
  }
  throw new Error('bisection did not finish');
}

describe('nextStep', () => {
  it('finds every first bad patch within ceil(log2 n)+1 steps, for n = 1..33', () => {
    for (let n = 1; n <= 33; n++) {
      for (let f = 1; f <= n; f++) {
        const { next, steps } = simulate(n, (k) => (k >= f ? 'bad' : 'good'));
        expect(next).toEqual({ done: true, firstBad: f, candidates: [f] });
        expect(steps.length).toBeLessThanOrEqual(Math.ceil(Math.log2(n)) + 1);
      }
    }
  });

  it('needs at most 4 steps for a 5-patch series (seed: PATCH 10/13 style)', () => {
    let worst = 0;
    for (let f = 1; f <= 5; f++) worst = Math.max(worst, simulate(5, (k) => (k >= f ? 'bad' : 'good')).steps.length);
    expect(worst).toBeLessThanOrEqual(4);
    // 13 patches, patch 10 is first bad: 4 steps.
    const r = simulate(13, (k) => (k >= 10 ? 'bad' : 'good'));
    expect(r.next).toMatchObject({ firstBad: 10 });
    expect(r.steps.length).toBeLessThanOrEqual(4);
  });

  it('steps around skipped patches like git bisect skip', () => {
    for (let n = 2; n <= 12; n++) {
      for (let f = 1; f <= n; f++) {
        for (let s = 1; s < n; s++) {
          const { next } = simulate(n, (k) => (k === s ? 'skip' : k >= f ? 'bad' : 'good'));
          if (!('done' in next)) throw new Error('not done');
          if (next.firstBad !== null) expect(next.firstBad).toBe(f);
          else {
            // Ambiguous only when the skipped patch is the first bad one or right before it.
            expect(next.candidates).toContain(f);
            expect(next.candidates).toContain(s);
            expect(s === f || s === f - 1).toBe(true);
          }
        }
      }
    }
  });

  it('reports the candidates when every patch in the range is skipped', () => {
    const r = simulate(4, () => 'skip');
    expect(r.next).toEqual({ done: true, firstBad: null, candidates: [1, 2, 3, 4] });
  });

  it('a one-patch series is done at once', () => {
    expect(nextStep({ n: 1, steps: [] })).toEqual({ done: true, firstBad: 1, candidates: [1] });
  });

  it('rejects steps outside the range', () => {
    expect(() => nextStep({ n: 3, steps: [{ k: 3, result: 'bad' }] })).toThrow(RangeError);
    expect(() => nextStep({ n: 0, steps: [] })).toThrow(RangeError);
  });
});

describe('classifyStep', () => {
  const title = 'BUG: kernel NULL pointer dereference, address: 0000000000000440 in fs_dax_release+0x5/0x90';
  const target = { tests: ['ndctl/mmap.sh'], crashSignatures: [crashSignature(title)] };
  it('is bad only for the confirmed failure or crash signature', () => {
    expect(classifyStep(makeRun({ findings: [crash(title.replace('0x5/0x90', '0x7/0x90'))] }), target).result).toBe(
      'bad',
    );
    expect(classifyStep(makeRun({ tests: [t('mmap.sh', 'fail')] }), target).result).toBe('bad');
    // Another test failing, or another crash: not this bug.
    const other = makeRun({ tests: [t('mmap.sh', 'pass'), t('dm.sh', 'fail')], findings: [crash('WARNING in foo')] });
    expect(classifyStep(other, target)).toEqual({ result: 'good', note: 'ndctl/mmap.sh passes' });
  });
  it('skips steps that cannot answer', () => {
    const build = { ok: false, configHash: 'x', buildDir: '/b', durationMs: 1, errors: [], warnings: [] };
    expect(classifyStep(makeRun({ build }), target).result).toBe('skip');
    expect(classifyStep(makeRun({ failureClass: 'infra', summary: 'QEMU died' }), target).result).toBe('skip');
    expect(classifyStep(makeRun({ tests: [t('dm.sh', 'pass')] }), target).result).toBe('skip');
    expect(classifyStep(makeRun({ booted: false }), { tests: [], crashSignatures: ['x'] }).result).toBe('skip');
    expect(classifyStep(makeRun(), { tests: [], crashSignatures: ['x'] }).result).toBe('good');
  });
});
