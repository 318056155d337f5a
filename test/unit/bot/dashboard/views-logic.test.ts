import { describe, expect, it } from 'vitest';
import { fmtRelative } from '../../../../bot/dashboard/format.ts';
import { diffSubjects, outcomeNote } from '../../../../bot/dashboard/history-data.ts';
import { seriesQueryString } from '../../../../bot/dashboard/page-series-list.ts';
import { HttpError } from '../../../../bot/dashboard/http-error.ts';
import { parseSeriesQuery } from '../../../../bot/dashboard/series-list-data.ts';
import { weekOf } from '../../../../bot/dashboard/stats-data.ts';
import { linesSvg, stackedBarsSvg, tidyMax } from '../../../../bot/dashboard/svg.ts';
import { parseRerunBody } from '../../../../bot/dashboard/rerun.ts';

describe('relative times', () => {
  const now = new Date('2026-12-01T12:00:00.000Z');
  it('reads as words in the largest unit that fits, never "43899 h"', () => {
    expect(fmtRelative('2021-12-01T12:00:00.000Z', now)).toBe('5 years ago');
    expect(fmtRelative('2026-11-30T12:00:00.000Z', now)).toBe('yesterday');
    expect(fmtRelative('2026-12-01T09:00:00.000Z', now)).toBe('3 hours ago');
    expect(fmtRelative('2026-12-01T12:05:00.000Z', now)).toBe('in 5 minutes');
    expect(fmtRelative('2026-12-01T12:00:10.000Z', now)).toBe('now');
  });
});

describe('version history', () => {
  it('diffs patch subjects across versions, ignoring the [PATCH vN k/n] prefix and case', () => {
    const d = diffSubjects(
      ['[PATCH 1/2] dax: fix A', '[PATCH 2/2] dax: old B'],
      ['[PATCH v2 1/3] dax: Fix A', '[PATCH v2 2/3] dax: new B', '[PATCH v2 3/3] mm: C'],
    );
    expect(d).toEqual({
      added: ['[PATCH v2 2/3] dax: new B', '[PATCH v2 3/3] mm: C'],
      dropped: ['[PATCH 2/2] dax: old B'],
      kept: 1,
    });
  });
  it('says how the verdict turned', () => {
    expect(outcomeNote({ revision: 2, status: 'regression' }, { revision: 3, status: 'pass' })).toBe(
      "v3 fixes v2's regression",
    );
    expect(outcomeNote({ revision: 3, status: 'pass' }, { revision: 4, status: 'build-failed' })).toBe(
      'new in v4: build-failed (v3 passed)',
    );
    expect(outcomeNote({ revision: 1, status: 'untested' }, { revision: 2, status: 'pass' })).toBeNull();
  });
});

describe('series list query', () => {
  it('parses the URL, keeps defaults out of links, refuses bad values with a 400', () => {
    const q = parseSeriesQuery({ q: ' dax ', outcome: 'regression', page: '3' });
    expect(q).toMatchObject({ q: 'dax', outcome: 'regression', page: 3, sort: 'mail', per: 50, project: null });
    expect(seriesQueryString(q, 4)).toBe('?q=dax&outcome=regression&page=4');
    expect(seriesQueryString(q, 1)).toBe('?q=dax&outcome=regression');
    expect(() => parseSeriesQuery({ outcome: 'bogus' })).toThrow(HttpError);
    expect(() => parseSeriesQuery({ from: '1/2/2024' })).toThrow(HttpError);
    expect(() => parseSeriesQuery({ page: '0' })).toThrow(HttpError);
  });
  it('the re-run form takes suites as repeated fields and an optional base, never a range', () => {
    expect(parseRerunBody({ suites: ['dax', 'fstests-dax'], base: 'v6.12' })).toMatchObject({
      suites: ['dax', 'fstests-dax'],
      base: 'v6.12',
    });
    expect(parseRerunBody({ base: '' }).base).toBeUndefined();
    expect(() => parseRerunBody({ base: 'v6.1..v6.12' })).toThrow(HttpError);
    expect(() => parseRerunBody({ base: '--upload-pack=x' })).toThrow(HttpError);
  });
});

describe('plots', () => {
  it('weeks start on Monday (UTC)', () => {
    expect(weekOf('2026-12-06T23:00:00.000Z')).toBe('2026-11-30');
    expect(weekOf('2026-11-30')).toBe('2026-11-30');
  });
  it('axes end at a tidy value', () => {
    expect([0, 3, 14, 20, 101].map(tidyMax)).toEqual([1, 5, 20, 20, 200]);
  });
  it('draw bars and lines as SVG with escaped labels and no inline style', () => {
    const bars = stackedBarsSvg({
      title: 'jobs <per> week',
      periods: ['11-30', '12-07'],
      categories: ['regression', '<b>pass</b>'],
      values: [
        [1, 2],
        [0, 4],
      ],
    }).text;
    expect(bars).toContain('&lt;b&gt;pass&lt;/b&gt;');
    expect(bars).not.toContain('<b>');
    expect(bars).not.toContain('style=');
    expect(bars.match(/<rect class="s\d" x=/g)).toHaveLength(3 + 2);
    const lines = linesSvg({
      title: 'build',
      unit: ' min',
      periods: ['a', 'b', 'c'],
      series: [{ name: 'qemu-pmem', values: [4, null, 5] }],
    }).text;
    expect((/points="([^"]*)"/.exec(lines)?.[1] ?? '').split(' ')).toHaveLength(2);
  });
});
