import { describe, expect, it } from 'vitest';
import { planNdctlMeson } from '../../../../runners/nfit-sim/ndctl-meson.ts';

describe('planNdctlMeson', () => {
  it('skips with "not configured" when no checkout is named', () => {
    const plan = planNdctlMeson(undefined);
    expect(plan.run).toBe(false);
    if (!plan.run)
      expect(plan.results[0]).toMatchObject({
        suite: 'ndctl-meson',
        status: 'skip',
        missingPrerequisite: true,
        reason: expect.stringMatching(/^not configured/),
      });
  });
  it('skips a folder that is not an ndctl checkout', () => {
    const plan = planNdctlMeson('/nowhere', () => false);
    expect(plan.run).toBe(false);
  });
  it('runs a checkout with test/meson.build', () => {
    expect(planNdctlMeson('/ndctl', (p) => p === '/ndctl/test/meson.build')).toEqual({ run: true, source: '/ndctl' });
  });
});
