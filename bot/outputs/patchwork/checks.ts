/**
 * Which check each patch of a series gets, from one job's event. Pure.
 *
 * States follow the reply policy (bot/report/reply-policy.ts): what daxbot blames on the series
 * (a regression, a build or apply failure) is `fail`; a pass, or failures also seen on the base, is
 * `success`; what says nothing about the series (infrastructure, a withdrawn report) is `warning`.
 * A bisection that names the first bad patch marks the patches before it `success`: each check
 * is about its own patch.
 */
import type { JobResult, OutputEvent } from '../types.ts';

export type CheckState = 'pending' | 'success' | 'warning' | 'fail';

export interface PlannedCheck {
  messageId: string;
  /** 1-based position in the series. */
  counter: number;
  state: CheckState;
  /** One line. */
  description: string;
}

const MAX_DESCRIPTION = 200;

/** `<prefix>-<runner>`, with anything a Django slug refuses replaced. */
export function checkContext(prefix: string, runner: string): string {
  return `${prefix}-${runner.replace(/[^-a-zA-Z0-9_]+/g, '_')}`;
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > MAX_DESCRIPTION ? `${line.slice(0, MAX_DESCRIPTION - 3)}...` : line;
}

/** The target URL: the run page once there is a run, the series page before. */
export function checkTarget(r: JobResult): string {
  return r.links.run ?? r.links.series;
}

type PerPatch = (counter: number) => { state: CheckState; description: string };

function resultPerPatch(r: JobResult, n: number): PerPatch {
  const rec = r.record;
  if (r.withdrawn)
    return () => ({ state: 'warning', description: 'report withdrawn by a maintainer (#daxbot invalid)' });
  if (!rec || r.outcome === 'infra')
    return () => ({
      state: 'warning',
      description: `not tested: ${r.summary ?? 'infrastructure failure'} (not the series' fault)`,
    });
  const on = `on ${rec.base.slice(0, 12)}`;
  switch (rec.outcome) {
    case 'pass':
    case 'pre-existing-only':
      return () => ({ state: 'success', description: `${rec.summary} ${on}` });
    case 'regression':
    case 'build-failed': {
      const k = rec.firstBad;
      if (k === null) return () => ({ state: 'fail', description: `${rec.summary} ${on}` });
      return (i) =>
        i < k
          ? { state: 'success', description: `good; the series fails from patch ${k}/${n} on` }
          : i === k
            ? { state: 'fail', description: `first bad patch: ${rec.summary} ${on}` }
            : { state: 'fail', description: `fails from patch ${k}/${n} on: ${rec.summary}` };
    }
    case 'apply-failed': {
      const f = rec.failedPatch;
      if (f === null) return () => ({ state: 'fail', description: rec.summary });
      return (i) =>
        i === f
          ? { state: 'fail', description: rec.summary }
          : { state: 'warning', description: `not tested: patch ${f}/${n} does not apply ${on}` };
    }
    default:
      return () => ({ state: 'warning', description: `${rec.outcome}: ${rec.summary}` });
  }
}

/** One check per patch of the series, in series order. */
export function planChecks(e: OutputEvent): PlannedCheck[] {
  const r = e.result;
  const patches = r.version?.patches ?? [];
  const n = r.version?.expected ?? patches.length;
  const per: PerPatch =
    e.event === 'start' ? () => ({ state: 'pending', description: `testing on ${r.runner}` }) : resultPerPatch(r, n);
  return patches.map((p) => {
    const c = per(p.counter);
    return { messageId: p.messageId, counter: p.counter, state: c.state, description: oneLine(c.description) };
  });
}
