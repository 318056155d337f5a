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

/** "in 5 min" / "3 h ago", relative to the page's clock. */
export function fmtRelative(iso: string | null | undefined, now: Date): string {
  if (!iso) return '-';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const d = t - now.getTime();
  if (Math.abs(d) < 30_000) return 'now';
  return d > 0 ? `in ${fmtDuration(d)}` : `${fmtDuration(-d)} ago`;
}

/** A time with its relative form beside it. */
export function when(iso: string | null | undefined, now: Date): Html {
  if (!iso) return html`-`;
  return html`<time datetime="${iso}">${fmtTime(iso)}</time> <span class="dim">(${fmtRelative(iso, now)})</span>`;
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

/** An outcome, class or state as a coloured word. */
export function badge(word: string | null | undefined): Html {
  if (!word) return html`<span class="badge">-</span>`;
  const tone = BAD.has(word) ? 'bad' : WARN.has(word) ? 'warn' : GOOD.has(word) ? 'good' : 'info';
  return html`<span class="badge ${tone}">${word}</span>`;
}
