/**
 * Blob matching along a branch (pure): given the files' blobs at the branch head and the
 * first-parent history of those files (`git log --first-parent --raw`), walk back one commit at a
 * time, undoing each commit's changes, and stop at the newest state where every preimage blob of
 * the series matches. The commit that state belongs to is the first parent of the commit undone
 * last: the newest commit on the branch whose files are the ones the author had.
 */
import { sameBlob, unquotePath, type PreimageBlob } from './series-blobs.ts';

/** One commit of `git log --raw`, restricted to the series' paths. */
export interface RawCommit {
  sha: string;
  parents: string[];
  changes: { path: string; oldBlob: string | null; newBlob: string | null }[];
}

export type BlobState = Map<string, string>;

const NULL_ID = /^0+$/;

/** `git ls-tree -r -z <rev> -- <paths>`: `<mode> <type> <id>\t<path>\0` per entry. */
export function parseLsTree(out: string): BlobState {
  const state: BlobState = new Map();
  for (const entry of out.split('\0')) {
    const m = /^\d+ (\w+) ([0-9a-f]+)\t(.*)$/s.exec(entry);
    if (m?.[1] === 'blob' && m[2] && m[3] !== undefined) state.set(m[3], m[2]);
  }
  return state;
}

/** `git log --format='commit %H %P' --raw --no-abbrev --no-renames`, newest first. */
export function parseRawLog(out: string): RawCommit[] {
  const commits: RawCommit[] = [];
  let current: RawCommit | null = null;
  for (const line of out.split('\n')) {
    const head = /^commit ([0-9a-f]{40})((?: [0-9a-f]{40})*)\s*$/.exec(line);
    if (head?.[1]) {
      current = { sha: head[1], parents: (head[2] ?? '').trim().split(' ').filter(Boolean), changes: [] };
      commits.push(current);
      continue;
    }
    const raw = /^:\d+ \d+ ([0-9a-f]+) ([0-9a-f]+) [A-Z]\d*\t(.*)$/.exec(line);
    if (current && raw?.[1] && raw[2] && raw[3] !== undefined) {
      current.changes.push({
        path: unquotePath(raw[3]),
        oldBlob: NULL_ID.test(raw[1]) ? null : raw[1],
        newBlob: NULL_ID.test(raw[2]) ? null : raw[2],
      });
    }
  }
  return commits;
}

/** How many of the preimages the state holds exactly. */
export function matchingCount(wanted: readonly PreimageBlob[], state: BlobState): number {
  return wanted.filter((w) => sameBlob(w.blob, state.get(w.path))).length;
}

export interface NewestMatch {
  /** The commit whose files match: the head itself, or the first parent of `undone`. */
  commit: string;
  /** Commits of the file history walked back over (0: the head matches). */
  walked: number;
}

/**
 * The newest commit on the branch where every preimage matches, walking back from `head` over
 * `history` (first-parent, newest first); null when none within the history given. Also returns
 * the best partial match seen, for the attempt's record.
 */
export function newestMatch(
  head: string,
  headState: BlobState,
  history: readonly RawCommit[],
  wanted: readonly PreimageBlob[],
): { match: NewestMatch | null; best: number } {
  if (wanted.length === 0) return { match: null, best: 0 };
  const state = new Map(headState);
  let best = matchingCount(wanted, state);
  if (best === wanted.length) return { match: { commit: head, walked: 0 }, best };
  for (const [i, c] of history.entries()) {
    for (const ch of c.changes) {
      if (ch.oldBlob === null) state.delete(ch.path);
      else state.set(ch.path, ch.oldBlob);
    }
    const n = matchingCount(wanted, state);
    best = Math.max(best, n);
    const parent = c.parents[0];
    if (n === wanted.length && parent) return { match: { commit: parent, walked: i + 1 }, best };
  }
  return { match: null, best };
}
