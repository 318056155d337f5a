import { describe, expect, it } from 'vitest';
import { planMissingFetches, recordAttempts, type FetchPolicy } from '../../../../ingest/series/fetch-missing.ts';

const MIN = 60_000;
const policy: FetchPolicy = { delayMs: 10 * MIN, windowMs: 6 * 60 * MIN, maxAttempts: 3 };
const now = new Date('2025-01-01T12:00:00Z');
const ago = (minutes: number): string => new Date(now.getTime() - minutes * MIN).toISOString();

function version(key: string, o: { missing?: number[]; lastDate?: string | null; root?: string } = {}) {
  const missing = o.missing ?? [1, 3];
  return {
    key,
    complete: missing.length === 0,
    missing,
    lastDate: o.lastDate === undefined ? ago(30) : o.lastDate,
    rootMessageId: o.root ?? `${key}-cover@example.org`,
  };
}

describe('planMissingFetches', () => {
  it('fetches the thread of an incomplete version once it is past the delay and inside its window', () => {
    const plan = planMissingFetches([version('a#v1')], {}, now, policy);
    expect(plan).toEqual([{ messageId: 'a#v1-cover@example.org', versionKeys: ['a#v1'] }]);
  });

  it('leaves complete, too fresh, too old and undated versions alone', () => {
    const versions = [
      version('done#v1', { missing: [] }),
      version('fresh#v1', { lastDate: ago(2) }),
      version('old#v1', { lastDate: ago(7 * 60) }),
      version('undated#v1', { lastDate: null }),
    ];
    expect(planMissingFetches(versions, {}, now, policy)).toEqual([]);
  });

  it('asks once per thread for versions sharing it', () => {
    const plan = planMissingFetches(
      [version('t#v1', { root: 'r@x' }), version('t#v2', { root: 'r@x' })],
      {},
      now,
      policy,
    );
    expect(plan).toEqual([{ messageId: 'r@x', versionKeys: ['t#v1', 't#v2'] }]);
  });

  it('tries again at doubling intervals, at most maxAttempts times', () => {
    const v = [version('a#v1', { lastDate: ago(200) })];
    const once = { 'a#v1': { at: ago(15), tries: 1, ok: true } };
    // Second try is due 2 × delay after the first.
    expect(planMissingFetches(v, once, now, policy)).toEqual([]);
    expect(planMissingFetches(v, { 'a#v1': { at: ago(21), tries: 1, ok: false } }, now, policy)).toHaveLength(1);
    expect(planMissingFetches(v, { 'a#v1': { at: ago(100), tries: 3, ok: true } }, now, policy)).toEqual([]);
  });
});

describe('recordAttempts', () => {
  it('counts a try per version and forgets versions that no longer wait', () => {
    const waiting = version('a#v1');
    const fetch = { messageId: waiting.rootMessageId, versionKeys: ['a#v1'] };
    const before = { 'a#v1': { at: ago(40), tries: 1, ok: false }, 'gone#v1': { at: ago(40), tries: 1, ok: true } };
    const after = recordAttempts(before, [{ fetch, ok: true }], [waiting], now, policy);
    expect(after).toEqual({ 'a#v1': { at: now.toISOString(), tries: 2, ok: true } });
  });
});
