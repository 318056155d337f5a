/** Small pure formatters shared by the pages. Times are shown in UTC: maintainers span zones. */
import { html, type Html } from './html.ts';

export function fmtTime(iso: string | null | undefined): string {
  if (!iso) return '-';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return `${new Date(t).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function fmtDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '-';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min${s % 60 ? ` ${s % 60} s` : ''}`;
  const h = Math.floor(m / 60);
  return `${h} h${m % 60 ? ` ${m % 60} min` : ''}`;
}

const RELATIVE = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

/** The largest unit that fits, so "43899 h" reads as "5 years ago". */
const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 86_400_000],
  ['month', 30 * 86_400_000],
  ['week', 7 * 86_400_000],
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
];

/** "in 5 minutes" / "3 hours ago" / "yesterday" / "last year", relative to the page's clock. */
export function fmtRelative(iso: string | null | undefined, now: Date): string {
  if (!iso) return '-';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const d = t - now.getTime();
  if (Math.abs(d) < 45_000) return 'now';
  for (const [unit, ms] of UNITS) {
    // Rounded: 1.6 days reads "2 days ago" (relative times are for scanning, the date is exact).
    if (Math.abs(d) >= ms || unit === 'minute') return RELATIVE.format(Math.round(d / ms), unit);
  }
  return RELATIVE.format(Math.round(d / 60_000), 'minute');
}

/** A time with its relative form beside it. */
export function when(iso: string | null | undefined, now: Date): Html {
  if (!iso) return html`-`;
  return html`<time datetime="${iso}" title="${iso}">${fmtTime(iso)}</time> <span class="dim rel">${fmtRelative(iso, now)}</span>`;
}

export function shortSha(sha: string | null | undefined): string {
  return sha ? sha.slice(0, 12) : '-';
}

const BAD = new Set([
  'regression',
  'build-failed',
  'apply-failed',
  'new-failure',
  'kernel',
  'patch',
  'refused',
  'fail',
  'error',
  'timeout',
  'bad',
]);
const WARN = new Set([
  'infra',
  'infra-failed',
  'pre-existing-only',
  'pre-existing',
  'flaky',
  'waiting',
  'skip',
  'skipped-prerequisite',
  'unrelated',
  'recorded',
  'invalid',
]);
const GOOD = new Set(['pass', 'none', 'fixed', 'accepted', 'sent', 'good', 'done']);
/** Not finished yet: neither good nor bad. */
const PENDING = new Set(['queued', 'running', 'waiting', 'pending']);

/** An outcome, class or state as a coloured word. */
export function badge(word: string | null | undefined): Html {
  if (!word) return html`<span class="badge">-</span>`;
  const tone = BAD.has(word)
    ? 'bad'
    : WARN.has(word)
      ? 'warn'
      : GOOD.has(word)
        ? 'good'
        : PENDING.has(word)
          ? 'pending'
          : 'info';
  return html`<span class="badge ${tone}">${word}</span>`;
}

/** Bytes as "18.6 MiB". */
export function fmtBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 10 ? Math.round(v) : v.toFixed(1)} ${units[i] ?? 'GiB'}`;
}
