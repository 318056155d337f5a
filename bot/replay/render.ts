/** The replay's plain-text table: one line per series version, then the totals. Pure. */
import type { ReplayRow, ReplayTotals } from './types.ts';

const MAX_SUBJECT = 60;

function where(r: ReplayRow): string {
  if (!r.tree || !r.base) return '-';
  return `${r.tree}@${r.base.slice(0, 12)}`;
}

export function replayLine(r: ReplayRow): string {
  const day = (r.date ?? '????-??-??').slice(0, 10);
  const subject = r.subject.length > MAX_SUBJECT ? `${r.subject.slice(0, MAX_SUBJECT - 3)}...` : r.subject;
  const failed = r.failedPatch !== undefined ? ` (patch ${r.failedPatch})` : '';
  const mail = r.wouldMail ? 'MAIL' : 'no mail';
  const method = r.method ? `${r.method}${r.certain ? '' : '?'}` : '-';
  return `${day}  ${r.outcome}${failed}  ${where(r)}  ${method}  ${mail}  ${subject} [${r.patches}]\n    ${r.how}`;
}

function counts(c: Record<string, number>): string {
  const parts = Object.entries(c).map(([k, n]) => `${k} ${n}`);
  return parts.length > 0 ? parts.join(', ') : 'none';
}

export function replaySummary(t: ReplayTotals): string[] {
  const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
  return [
    `series: ${t.series}, applied: ${t.applied}, no base: ${t.noBase}, ` +
      `apply failed on the base chosen: ${t.applyFailed}, would mail: ${t.wouldMail}`,
    `applied by tree: ${counts(t.byTree)}; by how the base was found: ${counts(t.byMethod)}`,
    `time: ${s(t.ms)} (git am ${s(t.amMs)}, base discovery apart from git am ${s(t.discoveryMs)}); ` +
      `${(t.series / Math.max(t.ms / 1000, 0.001)).toFixed(2)} series/s`,
  ];
}
