/** Golden files for the pure judge parts (UPDATE_GOLDEN=1 rewrites them). */
import { describe, it } from 'vitest';
import { nextStep, type BisectStep, type StepResult } from '../../../../bot/judge/bisect-series.ts';
import { expectGolden } from '../../../helpers/golden.ts';
import * as inputs from '../report/render/inputs.ts';

function plan(n: number, oracle: (k: number) => StepResult) {
  const steps: BisectStep[] = [];
  for (;;) {
    const next = nextStep({ n, steps });
    if ('done' in next) return { steps, next };
    steps.push({ k: next.test, result: oracle(next.test) });
  }
}

describe('judge golden files', () => {
  it('verdict of the fs/dax regression runs (3 base, 3 series)', () => {
    expectGolden('judge/verdict-regression', inputs.regression.verdict);
  });
  it('verdict with pre-existing failures and prerequisite skips only', () => {
    expectGolden('judge/verdict-pre-existing', inputs.passed.verdict);
  });
  it('bisection plans', () => {
    expectGolden('judge/bisect-plans', {
      'n13-first10': plan(13, (k) => (k >= 10 ? 'bad' : 'good')),
      'n5-first1': plan(5, (k) => (k >= 1 ? 'bad' : 'good')),
      'n13-first10-skip9': plan(13, (k) => (k === 9 ? 'skip' : k >= 10 ? 'bad' : 'good')),
      'n8-skip-mid': plan(8, (k) => (k === 4 ? 'skip' : k >= 6 ? 'bad' : 'good')),
    });
  });
});
