import { describe, expect, it } from 'vitest';
import {
  afterFetch,
  branchRefspecs,
  emptyFetchState,
  fetchBackoffMs,
  movedHeads,
  planFetch,
  previousTick,
  remoteDirFor,
} from '../../../../runners/tree/remote-plan.ts';

const URL = 'git://git.kernel.org/pub/scm/linux/kernel/git/nvdimm/nvdimm.git';
const at = (s: string): Date => new Date(s);

describe('remote trees: planning', () => {
  it('keeps one clone per URL and fetches each branch into its own name', () => {
    expect(remoteDirFor('/c', URL)).toMatch(/^\/c\/remotes\/nvdimm-[0-9a-f]{8}\.git$/);
    expect(remoteDirFor('/c', URL)).not.toBe(remoteDirFor('/c', 'file:///srv/nvdimm.git'));
    expect(branchRefspecs(['libnvdimm-for-next', 'libnvdimm-fixes'])).toEqual([
      '+refs/heads/libnvdimm-for-next:refs/heads/libnvdimm-for-next',
      '+refs/heads/libnvdimm-fixes:refs/heads/libnvdimm-fixes',
    ]);
  });

  it('fetches when a branch was never fetched, on a tick, or when the heads are older than the last tick', () => {
    const fresh = afterFetch(emptyFetchState(URL), at('2025-01-01T10:05:00Z'), { ok: true, heads: { next: 'a' } });
    const base = { state: fresh, branches: ['next'], now: at('2025-01-01T10:30:00Z') };
    expect(planFetch({ ...base, lastTick: at('2025-01-01T10:00:00Z') })).toEqual({
      fetch: false,
      reason: 'fetched at 2025-01-01T10:05:00.000Z',
    });
    expect(planFetch({ ...base, lastTick: at('2025-01-01T10:15:00Z') }).reason).toMatch(/older than the schedule/);
    expect(planFetch({ ...base, lastTick: null, force: true }).fetch).toBe(true);
    expect(planFetch({ ...base, branches: ['next', 'fixes'], lastTick: null }).reason).toBe(
      'branch fixes not fetched yet',
    );
  });

  it('backs off after failures, keeps the last good heads, and doubles the wait', () => {
    expect([1, 2, 3, 20].map((n) => fetchBackoffMs(n))).toEqual([60_000, 120_000, 240_000, 6 * 3_600_000]);
    const good = afterFetch(emptyFetchState(URL), at('2025-01-01T10:00:00Z'), { ok: true, heads: { next: 'a' } });
    const failed = afterFetch(good, at('2025-01-01T11:00:00Z'), { ok: false, error: 'connection refused' });
    expect(failed).toMatchObject({ failures: 1, heads: { next: 'a' }, lastSuccessAt: '2025-01-01T10:00:00.000Z' });
    const plan = (now: string) =>
      planFetch({ state: failed, branches: ['next'], now: at(now), lastTick: at('2025-01-01T11:00:00Z'), force: true });
    expect(plan('2025-01-01T11:00:30Z')).toEqual({
      fetch: false,
      reason: 'backing off after 1 failed fetches until 2025-01-01T11:01:00.000Z',
    });
    expect(plan('2025-01-01T11:01:00Z').fetch).toBe(true);
    const again = afterFetch(failed, at('2025-01-01T11:01:00Z'), { ok: true, heads: { next: 'b' } });
    expect(again.failures).toBe(0);
    expect(movedHeads(good.heads, again.heads)).toEqual([{ branch: 'next', from: 'a', to: 'b' }]);
  });

  it('finds the last tick of a schedule with its matcher', () => {
    const quarter = (d: Date): boolean => d.getUTCMinutes() % 15 === 0;
    expect(previousTick(quarter, at('2025-01-01T10:14:59Z'))?.toISOString()).toBe('2025-01-01T10:00:00.000Z');
    expect(previousTick(quarter, at('2025-01-01T10:15:00Z'))?.toISOString()).toBe('2025-01-01T10:15:00.000Z');
    expect(previousTick(() => false, at('2025-01-01T10:15:00Z'), 10)).toBeNull();
  });
});
