/**
 * Which partial series to complete from lore's all-lists archive, and when. A version with holes
 * (its list was Cc'd on some of the patches only) has its whole thread fetched by Message-ID, as
 * b4 does, while the pipeline still waits for it: not before `delayMs` after its newest mail (the
 * list's own copies arrive within minutes), again at doubling intervals while it stays
 * incomplete, at most `maxAttempts` times, and never once its waiting window (`windowMs`) has
 * passed, so an import of an old archive fetches nothing. Pure: the attempts so far come in, the
 * caller records what it did (the fetching source's checkpoint).
 */
import { z } from 'zod';
import type { SeriesVersion } from './types.ts';

export const fetchAttemptSchema = z.object({
  /** When the last try was made (ISO 8601). */
  at: z.string(),
  tries: z.number().int().positive(),
  /** The last try reached the archive (it may still have lacked patches). */
  ok: z.boolean(),
});
/** Tries so far, by version key. */
export const fetchAttemptsSchema = z.record(z.string(), fetchAttemptSchema);
export type FetchAttempt = z.infer<typeof fetchAttemptSchema>;
export type FetchAttempts = z.infer<typeof fetchAttemptsSchema>;

export interface FetchPolicy {
  delayMs: number;
  /** How long the pipeline waits for an incomplete version (schedule.incompleteWait). */
  windowMs: number;
  maxAttempts: number;
}

export interface MissingFetch {
  /** The thread to fetch: the version's cover, else its first patch present. */
  messageId: string;
  /** The versions it should complete. */
  versionKeys: string[];
}

type Candidate = Pick<SeriesVersion, 'key' | 'complete' | 'missing' | 'lastDate' | 'rootMessageId'>;

/** Still worth fetching for at `now`: incomplete, past the delay and inside the waiting window. */
function inWindow(v: Candidate, now: Date, policy: FetchPolicy): boolean {
  if (v.complete || v.missing.length === 0) return false;
  const last = v.lastDate ? Date.parse(v.lastDate) : Number.NaN;
  if (Number.isNaN(last)) return false;
  const age = now.getTime() - last;
  return age >= policy.delayMs && age < policy.windowMs;
}

function due(a: FetchAttempt | undefined, now: Date, policy: FetchPolicy): boolean {
  if (!a) return true;
  if (a.tries >= policy.maxAttempts) return false;
  return now.getTime() >= Date.parse(a.at) + policy.delayMs * 2 ** a.tries;
}

/** The threads to fetch now, one request per thread. */
export function planMissingFetches(
  versions: readonly Candidate[],
  attempts: FetchAttempts,
  now: Date,
  policy: FetchPolicy,
): MissingFetch[] {
  const byThread = new Map<string, MissingFetch>();
  for (const v of versions) {
    if (!inWindow(v, now, policy) || !due(attempts[v.key], now, policy)) continue;
    const f = byThread.get(v.rootMessageId) ?? { messageId: v.rootMessageId, versionKeys: [] };
    f.versionKeys.push(v.key);
    byThread.set(v.rootMessageId, f);
  }
  return [...byThread.values()];
}

/**
 * The attempts after this round: one more try for each fetched version, and only entries for
 * versions still in their window (so the record stays as small as the set of partial series).
 */
export function recordAttempts(
  attempts: FetchAttempts,
  done: readonly { fetch: MissingFetch; ok: boolean }[],
  versions: readonly Candidate[],
  now: Date,
  policy: FetchPolicy,
): FetchAttempts {
  const next: FetchAttempts = { ...attempts };
  for (const { fetch, ok } of done) {
    for (const key of fetch.versionKeys) {
      next[key] = { at: now.toISOString(), tries: (attempts[key]?.tries ?? 0) + 1, ok };
    }
  }
  const live = new Set(versions.filter((v) => inWindow(v, now, policy)).map((v) => v.key));
  for (const key of Object.keys(next)) if (!live.has(key)) delete next[key];
  return next;
}
