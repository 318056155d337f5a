/**
 * Which runners a series version is sent to (pure). A runner's `dispatch` rule names the paths
 * and lists it is for: the cxl-sim runner wants series touching drivers/cxl, tools/testing/cxl or
 * include/linux/cxl*, or sent to linux-cxl. A runner with no rule (or an empty one) takes every
 * series. A series is sent to a ruled runner when any of its patches touches a matching path or
 * its root mail's List-Id or To/Cc names a matching list; when what it touches is unknown (its
 * mail unreadable), it is sent: a series is better tested twice than lost.
 */
import type { SeriesFacts } from '../store/series-facts.ts';
import { listHit } from '../jobs/choose-tree.ts';
import { CXL_SIM_DISPATCH } from '../../runners/cxl-sim/profile.ts';

export type { SeriesFacts };

export interface DispatchRule {
  /**
   * Path patterns: `drivers/cxl/` (a folder and everything below), `include/linux/cxl*` (`*`
   * matches within one path component, `**` across components) or an exact file path.
   */
  paths: string[];
  /** List-Ids or addresses (`linux-cxl.vger.kernel.org`, `linux-cxl@vger.kernel.org`), as for trees. */
  lists: string[];
}

export interface DispatchDecision {
  wanted: boolean;
  /** "every series", "path drivers/cxl/core/region.c matches drivers/cxl/", "no path or list matched". */
  reason: string;
}

function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] ?? '';
    if (c === '*' && pattern[i + 1] === '*') {
      re += '.*';
      i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Whether `file` (a path as in `diff --git`) matches one dispatch path pattern. */
export function pathMatches(pattern: string, file: string): boolean {
  const p = pattern.replace(/^\.?\//, '');
  if (p === '') return false;
  if (/[*?]/.test(p)) return globToRegExp(p).test(file);
  if (p.endsWith('/')) return file.startsWith(p);
  return file === p || file.startsWith(`${p}/`);
}

export function dispatchDecision(rule: DispatchRule | undefined, facts: SeriesFacts | null): DispatchDecision {
  if (!rule || (rule.paths.length === 0 && rule.lists.length === 0)) return { wanted: true, reason: 'every series' };
  if (!facts) return { wanted: true, reason: 'what the series touches is unknown' };
  for (const file of facts.files) {
    const hit = rule.paths.find((p) => pathMatches(p, file));
    if (hit) return { wanted: true, reason: `path ${file} matches ${hit}` };
  }
  const list = listHit(rule.lists, facts);
  if (list) return { wanted: true, reason: `list ${list}` };
  return { wanted: false, reason: 'no path or list matched' };
}

/** A runner kind's rule when its config names none (data from the runner's folder). */
export const KIND_DISPATCH: Readonly<Record<string, DispatchRule>> = { 'cxl-sim': CXL_SIM_DISPATCH };

/** The rule a configured runner is dispatched by: its own, else its kind's, else none (pure). */
export function effectiveDispatch(r: { kind?: string; dispatch?: DispatchRule | undefined }): DispatchRule | undefined {
  return r.dispatch ?? (r.kind === undefined ? undefined : KIND_DISPATCH[r.kind]);
}

/** The runners (in the given order) whose rule wants the series. */
export function runnersForSeries<R extends { name: string; kind?: string; dispatch?: DispatchRule | undefined }>(
  runners: R[],
  facts: SeriesFacts | null,
): string[] {
  return runners.filter((r) => dispatchDecision(effectiveDispatch(r), facts).wanted).map((r) => r.name);
}
