/**
 * `daxbot series list`: which versions it prints (filters) and how (a table for people, one JSON
 * object per version with --json). Pure.
 */
import type { SeriesVersionRow } from '../store/series.ts';
import { formatTable, personName, utcMinute } from './output.ts';

/** The stable JSON shape of `series list --json` (one object per line): part of the CLI contract. */
export function seriesListEntry(row: SeriesVersionRow) {
  return {
    id: row.id,
    key: row.version_key,
    seriesKey: row.series_key,
    rootMessageId: row.root_message_id,
    subject: row.subject,
    version: row.revision,
    project: row.project,
    expected: row.expected,
    present: row.present,
    complete: row.complete === 1,
    hasCover: row.has_cover === 1,
    baseCommit: row.base_commit,
    author: row.author,
    date: row.first_date,
  };
}

export interface SeriesFilter {
  complete?: boolean;
  project?: string;
  /** Versions first posted at or after this time (a version without a date never matches). */
  since?: Date | null;
  /** A case-insensitive part of the author's name or address. */
  author?: string;
  /** Matched against the subject. */
  grep?: RegExp;
  /** Only the newest n (after the other filters). */
  limit?: number;
}

/** The rows that pass every filter, in the order given (oldest first). */
export function filterSeries(rows: readonly SeriesVersionRow[], f: SeriesFilter): SeriesVersionRow[] {
  const author = f.author?.toLowerCase();
  const since = f.since?.getTime();
  const kept = rows.filter(
    (r) =>
      (!f.complete || r.complete === 1) &&
      (!f.project || r.project === f.project) &&
      (since === undefined || (r.first_date !== null && Date.parse(r.first_date) >= since)) &&
      (!author || r.author.toLowerCase().includes(author)) &&
      (!f.grep || f.grep.test(r.subject)),
  );
  return f.limit !== undefined ? kept.slice(Math.max(0, kept.length - f.limit)) : kept;
}

export const SERIES_FLAGS_LEGEND =
  'flags: c = has a cover letter, ! = incomplete (patches missing); [name] before a subject: a project other than the kernel';

/** The table `series list` prints, then the legend of its flags. */
export function seriesTable(rows: readonly SeriesVersionRow[], width?: number): string[] {
  const table = formatTable(
    [
      { header: 'ID', value: (r) => String(r.id), align: 'right' },
      { header: 'VER', value: (r) => `v${r.revision}` },
      { header: 'PATCHES', value: (r) => `${r.present}/${r.expected}`, align: 'right' },
      { header: 'FLAGS', value: (r) => `${r.has_cover ? 'c' : ''}${r.complete ? '' : '!'}` },
      { header: 'DATE (UTC)', value: (r) => utcMinute(r.first_date) },
      { header: 'AUTHOR', value: (r) => personName(r.author), max: 24 },
      {
        header: 'SUBJECT',
        value: (r: SeriesVersionRow) => `${r.project === 'kernel' ? '' : `[${r.project}] `}${r.subject}`,
      },
    ],
    rows,
    width,
  );
  return [...table, '', SERIES_FLAGS_LEGEND];
}
