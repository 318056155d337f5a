/**
 * The one-line notes base discovery records for each attempt (pure), and how a discovery reads in
 * a reply, on the dashboard and in `series show`: the base and how it was found, then what was
 * tried before it.
 */
import type { ApplyAttempt } from '../../runners/types.ts';
import type { BaseAttempt, BaseDiscovery, DiscoveryTree, PrerequisiteFound } from './base-types.ts';

export function short(sha: string): string {
  return sha.slice(0, 12);
}

/** "linux-6.1" for a tree's only HEAD, "nvdimm libnvdimm-for-next" for a named branch. */
export function treeBranchLabel(tree: Pick<DiscoveryTree, 'name'>, branch: string): string {
  return branch === 'HEAD' ? tree.name : `${tree.name} ${branch}`;
}

/** One note per prerequisite series found (with its trailers), one for those the store lacks. */
export function prerequisiteNotes(found: readonly PrerequisiteFound[]): { ok: boolean; note: string }[] {
  const out: { ok: boolean; note: string }[] = [];
  const labels = [...new Set(found.filter((f) => f.label !== null).map((f) => f.label ?? ''))];
  for (const label of labels) {
    const ids = found.filter((f) => f.label === label);
    const kinds = [...new Set(ids.map((f) => `prerequisite-${f.kind}`))].join(' and ');
    out.push({ ok: true, note: `${kinds} (${ids.length}): ${label} from the store, applied first` });
  }
  const missing = found.filter((f) => f.label === null);
  if (missing.length > 0) {
    const names = missing.map((f) => `${f.kind === 'patch-id' ? short(f.id) : `<${f.id}>`}`).join(', ');
    out.push({ ok: false, note: `prerequisite ${names} not in the store` });
  }
  return out;
}

/** "applies to the head of linux-6.12 (0123456789ab)" or why not, numbered as the series' patches. */
export function trialNote(where: string, head: string, a: ApplyAttempt, prerequisites: number): string {
  if (a.ok) return `applies to the head of ${where} (${short(head)})`;
  const k = a.failedPatch === undefined ? undefined : a.failedPatch - prerequisites;
  const which = k === undefined ? 'a patch' : k <= 0 ? `prerequisite patch ${k + prerequisites}` : `patch ${k}`;
  const files =
    a.conflictFiles && a.conflictFiles.length > 0 ? ` conflicts in ${a.conflictFiles.join(', ')}` : ' does not apply';
  return `does not apply to the head of ${where} (${short(head)}): ${which}${files}`;
}

/** The attempts that were passed over before the chosen base (all of them when none was chosen). */
export function passedOver(d: Pick<BaseDiscovery, 'attempts'>): BaseAttempt[] {
  return d.attempts.filter((a) => !a.ok);
}

/** "untestable: no base (tried: ...)" for status and the job summary. */
export function noBaseSummary(d: Pick<BaseDiscovery, 'attempts'>): string {
  const trials = d.attempts.filter((a) => a.step === 'trial').length;
  return `untestable: no base (applies to none of ${trials} branch head${trials === 1 ? '' : 's'} tried)`;
}
