import { describe, expect, it } from 'vitest';
import { filterSeries, SERIES_FLAGS_LEGEND, seriesTable } from '../../../../bot/cli/series-list.ts';
import type { SeriesVersionRow } from '../../../../bot/store/series.ts';

function row(id: number, o: Partial<SeriesVersionRow>): SeriesVersionRow {
  return {
    id,
    version_key: `s${id}#v1`,
    series_key: `s${id}`,
    revision: 1,
    project: 'kernel',
    subject: `subject ${id}`,
    root_message_id: `${id}@example.org`,
    cover_message_id: null,
    thread_root_id: `${id}@example.org`,
    author: 'Ada Author <ada@example.org>',
    expected: 2,
    present: 2,
    complete: 1,
    has_cover: 0,
    base_commit: null,
    first_date: `2024-05-0${id}T10:00:00.000Z`,
    last_date: null,
    data: '{}',
    created_at: '2024-05-01T00:00:00.000Z',
    updated_at: '2024-05-01T00:00:00.000Z',
    ...o,
  };
}

const rows = [
  row(1, { subject: 'dax: fix the mount path', has_cover: 1 }),
  row(2, { subject: 'pmem: a partial series', author: 'Bo Builder <bo@example.org>', present: 1, complete: 0 }),
  row(3, { subject: 'test: add a dax test', project: 'ndctl', revision: 2 }),
  row(4, { subject: 'DAX: another', first_date: null }),
];

describe('series list', () => {
  it('filters by date, author, subject and count (the newest n)', () => {
    const ids = (f: Parameters<typeof filterSeries>[1]) => filterSeries(rows, f).map((r) => r.id);
    expect(ids({})).toEqual([1, 2, 3, 4]);
    expect(ids({ since: new Date('2024-05-02T00:00:00Z') })).toEqual([2, 3]);
    expect(ids({ author: 'BO@EXAMPLE' })).toEqual([2]);
    expect(ids({ author: 'ada' })).toEqual([1, 3, 4]);
    expect(ids({ grep: /^dax:/i })).toEqual([1, 4]);
    expect(ids({ limit: 2 })).toEqual([3, 4]);
    expect(ids({ limit: 0 })).toEqual([]);
    expect(ids({ grep: /dax/i, limit: 1, complete: true })).toEqual([4]);
    expect(ids({ project: 'ndctl' })).toEqual([3]);
  });

  it('prints a table with a header, dates, authors, flags and their legend', () => {
    expect(seriesTable(rows)).toEqual([
      'ID  VER  PATCHES  FLAGS  DATE (UTC)        AUTHOR      SUBJECT',
      ' 1  v1       2/2  c      2024-05-01 10:00  Ada Author  dax: fix the mount path',
      ' 2  v1       1/2  !      2024-05-02 10:00  Bo Builder  pmem: a partial series',
      ' 3  v2       2/2         2024-05-03 10:00  Ada Author  [ndctl] test: add a dax test',
      ' 4  v1       2/2         -                 Ada Author  DAX: another',
      '',
      SERIES_FLAGS_LEGEND,
    ]);
    expect(SERIES_FLAGS_LEGEND).toMatch(/c = has a cover letter, ! = incomplete/);
  });
});
