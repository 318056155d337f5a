/**
 * How commands print. `--json`: JSON Lines, each line one complete JSON object (never indented
 * over several lines), one per record for a list, one for anything else. Otherwise, for people:
 * tables with a header and aligned columns (`formatTable`), times as UTC minutes.
 */

/** One JSON Lines record. */
export function jsonLine(value: unknown): string {
  return JSON.stringify(value);
}

export interface Column<R> {
  header: string;
  value: (row: R) => string;
  align?: 'left' | 'right';
  /** Longer cells are cut with "…". */
  max?: number;
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

/**
 * A header line and one line per row, columns separated by two spaces and padded to the widest
 * cell; the last column is not padded. With `width` (a terminal's), lines are cut to it.
 */
export function formatTable<R>(columns: Column<R>[], rows: readonly R[], width?: number): string[] {
  const cells = rows.map((r) =>
    columns.map((c) => cut(c.value(r).replace(/\s+/g, ' '), c.max ?? Number.POSITIVE_INFINITY)),
  );
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((row) => row[i]?.length ?? 0)));
  const line = (values: string[]): string => {
    const text = values
      .map((v, i) => {
        if (i === values.length - 1 && columns[i]?.align !== 'right') return v;
        const w = widths[i] ?? 0;
        return columns[i]?.align === 'right' ? v.padStart(w) : v.padEnd(w);
      })
      .join('  ')
      .trimEnd();
    return width !== undefined && width > 0 ? cut(text, width) : text;
  };
  return [line(columns.map((c) => c.header)), ...cells.map(line)];
}

/** "2024-05-01 14:02" (UTC), or "-" for no time. */
export function utcMinute(iso: string | null | undefined): string {
  if (!iso) return '-';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return new Date(t).toISOString().slice(0, 16).replace('T', ' ');
}

/** "in 5 min", "in 2 h 10 min", "5 min ago", "now". */
export function relativeTime(iso: string, now: Date): string {
  const ms = Date.parse(iso) - now.getTime();
  const minutes = Math.round(Math.abs(ms) / 60_000);
  if (minutes === 0) return 'now';
  const h = Math.floor(minutes / 60);
  const text = h > 0 ? `${h} h${minutes % 60 ? ` ${minutes % 60} min` : ''}` : `${minutes} min`;
  return ms > 0 ? `in ${text}` : `${text} ago`;
}

/** The name of "Name <address>", or the address when there is no name. */
export function personName(from: string): string {
  const m = /^\s*"?([^"<]*?)"?\s*<([^>]*)>\s*$/.exec(from);
  if (!m) return from.trim();
  return m[1] ? m[1] : (m[2] ?? from);
}

/** The width to fit human output to: the terminal's, none when stdout is not a terminal. */
export function terminalWidth(): number | undefined {
  return process.stdout.isTTY ? process.stdout.columns : undefined;
}
