/**
 * Trees that move (I/O): the bare clone of a remote in the cache folder, its branches fetched with
 * simple-git, a commit fetched by id, and the fetch record beside the clone (`daxbot-fetch.json`).
 * A fetch that fails is the machinery's problem: it is recorded (attempt, error, failures in a
 * row, so the next try backs off) and the last good heads are returned; only a tree that was
 * never fetched has no heads, and that is an InfraError. Fetches of one clone take turns.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createTask } from 'node-cron';
import type { Logger } from 'pino';
import { simpleGit, type SimpleGit } from 'simple-git';
import { InfraError, errorMessage } from '../../bot/errors.ts';
import {
  afterFetch,
  branchRefspecs,
  emptyFetchState,
  fetchStateSchema,
  movedHeads,
  pinnedCommitRef,
  planFetch,
  previousTick,
  type BackoffPolicy,
  type FetchState,
  type HeadMove,
} from './remote-plan.ts';
import { commitOf, GIT_LOOKUP_ENV } from './git-run.ts';
import { withSlotLock } from './slot-lock.ts';

export interface RemoteTree {
  /** The configured tree's name (for logs). */
  name: string;
  url: string;
  branches: string[];
  /** The bare clone (remoteDirFor). */
  dir: string;
  /** The fetch schedule (cron). */
  schedule: string;
}

export interface SyncOptions {
  now: Date;
  log: Logger;
  /** A scheduled fetch: fetch unless backing off (else only when stale). */
  force?: boolean;
  backoff?: BackoffPolicy;
  /** No output for this long kills a fetch. */
  stallMs?: number;
}

export interface RemoteSync {
  /** The heads in use: fresh after a good fetch, the last good ones after a failure. */
  heads: Record<string, string>;
  fetched: boolean;
  /** Why it fetched or not ("scheduled fetch", "backing off ... until ..."). */
  reason: string;
  moved: HeadMove[];
  /** The fetch's error, when it failed. */
  error?: string;
  state: FetchState;
}

const STATE_FILE = 'daxbot-fetch.json';

function gitIn(dir: string, stallMs = 600_000): SimpleGit {
  return simpleGit({ baseDir: dir, timeout: { block: stallMs } }).env(GIT_LOOKUP_ENV);
}

export async function readFetchState(dir: string, url: string): Promise<FetchState> {
  const text = await readFile(path.join(dir, STATE_FILE), 'utf8').catch(() => null);
  if (text === null) return emptyFetchState(url);
  try {
    const parsed = fetchStateSchema.safeParse(JSON.parse(text));
    return parsed.success && parsed.data.url === url ? parsed.data : emptyFetchState(url);
  } catch {
    return emptyFetchState(url);
  }
}

async function writeFetchState(dir: string, state: FetchState): Promise<void> {
  const tmp = path.join(dir, `${STATE_FILE}.tmp`);
  await writeFile(tmp, JSON.stringify(state, null, 2) + '\n');
  await rename(tmp, path.join(dir, STATE_FILE));
}

/** Makes `dir` a bare repository that remembers its URL (for people looking at the cache). */
export async function ensureBareClone(dir: string, url: string): Promise<void> {
  if (existsSync(path.join(dir, 'HEAD'))) return;
  await mkdir(dir, { recursive: true });
  const git = gitIn(dir);
  await git.raw(['init', '-q', '--bare']);
  await git.raw(['config', 'remote.origin.url', url]);
  await git.raw(['config', 'advice.detachedHead', 'false']);
}

/** Fetches the branches into refs/heads/<branch> and returns their heads. Throws on failure. */
export async function fetchBranches(tree: RemoteTree, stallMs?: number): Promise<Record<string, string>> {
  await ensureBareClone(tree.dir, tree.url);
  await gitIn(tree.dir, stallMs).raw([
    'fetch',
    '--no-tags',
    '--no-write-fetch-head',
    '--progress',
    tree.url,
    ...branchRefspecs(tree.branches),
  ]);
  const heads: Record<string, string> = {};
  for (const b of tree.branches) {
    const sha = await commitOf(tree.dir, `refs/heads/${b}`);
    if (!sha) throw new InfraError(`branch ${b} of ${tree.url} has no commit after the fetch`, { dir: tree.dir });
    heads[b] = sha;
  }
  // Path-limited history walks (blob matching) read the changed-path filters; best effort.
  await gitIn(tree.dir, stallMs)
    .raw(['commit-graph', 'write', '--reachable', '--changed-paths', '--split'])
    .catch(() => undefined);
  return heads;
}

/**
 * Fetches one commit by id from the remote (kernel.org allows it) and pins it under
 * refs/daxbot/commits/. False when the remote does not have it or refuses.
 */
export async function fetchCommitById(tree: RemoteTree, sha: string, log: Logger): Promise<boolean> {
  if (!/^[0-9a-f]{40}$/.test(sha)) return false;
  return withSlotLock(`${tree.dir}-fetch`, async () => {
    await ensureBareClone(tree.dir, tree.url);
    try {
      await gitIn(tree.dir).raw([
        'fetch',
        '--no-tags',
        '--no-write-fetch-head',
        tree.url,
        `${sha}:${pinnedCommitRef(sha)}`,
      ]);
    } catch (err) {
      log.info(
        { tree: tree.name, sha, err: errorMessage(err) },
        `commit ${sha.slice(0, 12)} not fetched from ${tree.url}`,
      );
      return false;
    }
    return (await commitOf(tree.dir, sha)) === sha;
  });
}

/** The fetch schedule's latest tick at or before `now` (node-cron's matcher). */
export function lastScheduledTick(schedule: string, now: Date): Date | null {
  const task = createTask(schedule, () => undefined);
  try {
    return previousTick((d) => task.match(d), now);
  } finally {
    void task.destroy();
  }
}

/**
 * Brings the clone up to date when a fetch is due (planFetch) and returns the heads to use. A
 * failed fetch is logged and recorded; the last good heads are returned with the error.
 */
export async function syncRemote(tree: RemoteTree, o: SyncOptions): Promise<RemoteSync> {
  return withSlotLock(`${tree.dir}-fetch`, async () => {
    await mkdir(tree.dir, { recursive: true });
    const state = await readFetchState(tree.dir, tree.url);
    const plan = planFetch({
      state,
      branches: tree.branches,
      now: o.now,
      lastTick: lastScheduledTick(tree.schedule, o.now),
      ...(o.force !== undefined && { force: o.force }),
      ...(o.backoff && { backoff: o.backoff }),
    });
    if (!plan.fetch) return { heads: state.heads, fetched: false, reason: plan.reason, moved: [], state };
    let next: FetchState;
    let error: string | undefined;
    try {
      next = afterFetch(state, o.now, { ok: true, heads: await fetchBranches(tree, o.stallMs) });
    } catch (err) {
      error = errorMessage(err);
      next = afterFetch(state, o.now, { ok: false, error });
      o.log.warn({ tree: tree.name, url: tree.url, failures: next.failures, err: error }, 'fetch failed');
    }
    await writeFetchState(tree.dir, next);
    const moved = movedHeads(state.heads, next.heads);
    if (moved.length > 0) o.log.info({ tree: tree.name, moved }, 'branch heads moved');
    return {
      heads: next.heads,
      fetched: error === undefined,
      reason: plan.reason,
      moved,
      state: next,
      ...(error && { error }),
    };
  });
}

/** The heads a job may use: fetched when due; an InfraError only when there are none at all. */
export async function remoteHeads(tree: RemoteTree, o: SyncOptions): Promise<Record<string, string>> {
  const sync = await syncRemote(tree, o);
  const missing = tree.branches.filter((b) => !sync.heads[b]);
  if (missing.length > 0)
    throw new InfraError(`tree ${tree.name}: branch ${missing.join(', ')} of ${tree.url} was never fetched`, {
      tree: tree.name,
      url: tree.url,
      error: sync.error ?? sync.reason,
    });
  return sync.heads;
}
