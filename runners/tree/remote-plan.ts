/**
 * Trees that move (pure planning): a tree given as a git remote is one bare clone per URL in the
 * cache folder, its configured branches fetched into `refs/heads/<branch>`. This module decides
 * where the clone lives, what a fetch asks for, whether a fetch is due (the schedule's last tick
 * came after the last good fetch, or a branch was never fetched), and how long to back off after
 * failures. A failed fetch changes no ref: the last good heads stay in use until a fetch succeeds.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';

export const fetchStateSchema = z.object({
  url: z.string(),
  lastAttemptAt: z.string().nullable(),
  lastSuccessAt: z.string().nullable(),
  /** Failures since the last good fetch. */
  failures: z.number().int().nonnegative(),
  lastError: z.string().nullable(),
  /** Branch heads after the last good fetch. */
  heads: z.record(z.string()),
});

export type FetchState = z.infer<typeof fetchStateSchema>;

export function emptyFetchState(url: string): FetchState {
  return { url, lastAttemptAt: null, lastSuccessAt: null, failures: 0, lastError: null, heads: {} };
}

/** `<cacheDir>/remotes/<last path part>-<hash of the URL>.git`: one clone per URL. */
export function remoteDirFor(cacheDir: string, url: string): string {
  const base = url
    .replace(/\/+$/, '')
    .replace(/\.git$/, '')
    .split(/[/:]/)
    .pop();
  const name = (base || 'tree').replace(/[^A-Za-z0-9._-]/g, '_');
  const h = createHash('sha256').update(url).digest('hex').slice(0, 8);
  return path.join(cacheDir, 'remotes', `${name}-${h}.git`);
}

/**
 * Where a configured tree's repository is: a remote's bare clone, a `path` (relative to the
 * configuration's folder), or the cached Debian tree `<cacheDir>/<name>`.
 */
export function treeRepoPath(
  tree: { name: string; path?: string | undefined; url?: string | undefined },
  cacheDir: string,
  configDir: string,
): string {
  if (tree.url) return remoteDirFor(cacheDir, tree.url);
  return tree.path ? path.resolve(configDir, tree.path) : path.join(cacheDir, tree.name);
}

/** The refspecs of a fetch: each configured branch into the clone's branch of the same name. */
export function branchRefspecs(branches: readonly string[]): string[] {
  return branches.map((b) => `+refs/heads/${b}:refs/heads/${b}`);
}

/** Where a commit fetched by id (a series' base-commit) is kept, so gc never drops it. */
export function pinnedCommitRef(sha: string): string {
  return `refs/daxbot/commits/${sha}`;
}

export interface BackoffPolicy {
  firstMs: number;
  maxMs: number;
}

export const DEFAULT_FETCH_BACKOFF: BackoffPolicy = { firstMs: 60_000, maxMs: 6 * 3_600_000 };

/** Wait after the n-th failure in a row: first, 2×first, 4×first, ... capped. */
export function fetchBackoffMs(failures: number, policy: BackoffPolicy = DEFAULT_FETCH_BACKOFF): number {
  if (failures <= 0) return 0;
  return Math.min(policy.maxMs, policy.firstMs * 2 ** Math.min(failures - 1, 30));
}

export type FetchPlan = { fetch: boolean; reason: string };

export interface FetchPlanInput {
  state: FetchState;
  branches: readonly string[];
  now: Date;
  /** The schedule's most recent tick at or before now (previousTick), or null if unknown. */
  lastTick: Date | null;
  /** A scheduled fetch: fetch unless backing off. */
  force?: boolean;
  backoff?: BackoffPolicy;
}

/** Whether to fetch now, and why (logged and shown in status). */
export function planFetch(i: FetchPlanInput): FetchPlan {
  const { state, now } = i;
  if (state.failures > 0 && state.lastAttemptAt) {
    const retryAt = Date.parse(state.lastAttemptAt) + fetchBackoffMs(state.failures, i.backoff);
    if (now.getTime() < retryAt)
      return { fetch: false, reason: `backing off after ${state.failures} failed fetches until ${iso(retryAt)}` };
  }
  const unfetched = i.branches.filter((b) => !(b in state.heads));
  if (unfetched.length > 0) return { fetch: true, reason: `branch ${unfetched.join(', ')} not fetched yet` };
  if (i.force) return { fetch: true, reason: 'scheduled fetch' };
  if (!state.lastSuccessAt) return { fetch: true, reason: 'never fetched' };
  if (i.lastTick && Date.parse(state.lastSuccessAt) < i.lastTick.getTime())
    return { fetch: true, reason: `heads older than the schedule (last tick ${i.lastTick.toISOString()})` };
  return { fetch: false, reason: `fetched at ${state.lastSuccessAt}` };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export type FetchOutcome = { ok: true; heads: Record<string, string> } | { ok: false; error: string };

/** The state after a fetch attempt: a failure keeps the last good heads. */
export function afterFetch(state: FetchState, now: Date, outcome: FetchOutcome): FetchState {
  const at = now.toISOString();
  if (!outcome.ok)
    return { ...state, lastAttemptAt: at, failures: state.failures + 1, lastError: outcome.error.slice(0, 2000) };
  return { ...state, lastAttemptAt: at, lastSuccessAt: at, failures: 0, lastError: null, heads: outcome.heads };
}

export interface HeadMove {
  branch: string;
  from: string | null;
  to: string;
}

/** Branches whose head changed between two fetches (a new branch counts, from null). */
export function movedHeads(before: Record<string, string>, after: Record<string, string>): HeadMove[] {
  return Object.entries(after)
    .filter(([b, sha]) => before[b] !== sha)
    .map(([branch, to]) => ({ branch, from: before[branch] ?? null, to }));
}

/**
 * The schedule's latest tick at or before `now`, found by stepping back a minute at a time with
 * the schedule's own matcher (node-cron's, in the caller); null if none within the look-back.
 */
export function previousTick(matches: (d: Date) => boolean, now: Date, lookbackMinutes = 8 * 24 * 60): Date | null {
  const start = new Date(now);
  start.setUTCSeconds(0, 0);
  for (let i = 0; i <= lookbackMinutes; i++) {
    const t = new Date(start.getTime() - i * 60_000);
    if (matches(t)) return t;
  }
  return null;
}
