import type { SeriesVersion } from './types.ts';

export type CompletenessState = 'complete' | 'waiting' | 'incomplete';

/**
 * Patches of a series trickle in over minutes (or arrive out of order), so a version with
 * holes is held for `waitMs` after its newest message before it is given up as incomplete.
 * A version with no dates at all cannot be timed and is incomplete at once.
 */
export function completenessState(v: SeriesVersion, now: Date, waitMs: number): CompletenessState {
  if (v.complete) return 'complete';
  const last = v.lastDate ? Date.parse(v.lastDate) : Number.NaN;
  if (Number.isNaN(last)) return 'incomplete';
  return now.getTime() - last < waitMs ? 'waiting' : 'incomplete';
}
