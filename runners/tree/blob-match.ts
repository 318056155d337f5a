/**
 * Blob matching in one repository (b4 shazam --guess-base, the 0-day robot): are the series'
 * preimage blobs in the repository at all (`git cat-file --batch-check`, one process), and which
 * is the newest commit on a branch whose files are exactly those blobs. The history walk reads only
 * the commits that touch the series' files (`git log --first-parent --raw -- <paths>`, one process,
 * bounded), and the planning is blob-state.ts; a candidate is checked once more with `git ls-tree`.
 */
import { InfraError } from '../../bot/errors.ts';
import { newestMatch, parseLsTree, parseRawLog, type BlobState } from './blob-state.ts';
import { commitOf, git } from './git-run.ts';
import type { PreimageBlob } from './series-blobs.ts';

export interface BranchMatch {
  branch: string;
  /** The newest matching commit, or null. */
  commit: string | null;
  /** How many preimages matched at best (all of them when `commit` is set). */
  matched: number;
  total: number;
  /** Commits of the files' history walked back over. */
  walked: number;
}

export interface BlobMatchOptions {
  /** At most this many commits touching the series' files are walked back per branch. */
  maxCommits?: number;
  /** The branch's head to start from (default: what `branch` names in the repository now). */
  rev?: string;
}

/** The preimage blobs the repository lacks (an ambiguous short id counts as present). */
export async function missingBlobs(repo: string, wanted: readonly PreimageBlob[]): Promise<PreimageBlob[]> {
  if (wanted.length === 0) return [];
  const r = await git(repo, ['cat-file', '--batch-check'], { input: wanted.map((w) => `${w.blob}\n`).join('') });
  if (r.code !== 0) throw new InfraError(`git cat-file failed in ${repo}`, { repo, output: r.output.slice(-2000) });
  const lines = r.stdout.split('\n');
  return wanted.filter((_, i) => / missing$/.test(lines[i] ?? ' missing'));
}

async function stateAt(repo: string, rev: string, paths: readonly string[]): Promise<BlobState> {
  const r = await git(repo, ['ls-tree', '-r', '-z', '--full-tree', rev, '--', ...paths]);
  if (r.code !== 0)
    throw new InfraError(`git ls-tree ${rev} failed in ${repo}`, { repo, output: r.output.slice(-2000) });
  return parseLsTree(r.stdout);
}

/** The newest commit on `branch` (a rev of `repo`) whose files have the preimage blobs. */
export async function matchOnBranch(
  repo: string,
  branch: string,
  wanted: readonly PreimageBlob[],
  options: BlobMatchOptions = {},
): Promise<BranchMatch> {
  const head = await commitOf(repo, options.rev ?? branch);
  const none = { branch, commit: null, matched: 0, total: wanted.length, walked: 0 };
  if (!head || wanted.length === 0) return none;
  const paths = [...new Set(wanted.map((w) => w.path))];
  const headState = await stateAt(repo, head, paths);
  const max = options.maxCommits ?? 2000;
  const log = await git(repo, [
    'log',
    '--first-parent',
    '--raw',
    '--no-abbrev',
    '--no-renames',
    '--format=commit %H %P',
    `--max-count=${max}`,
    head,
    '--',
    ...paths,
  ]);
  if (log.code !== 0) throw new InfraError(`git log failed in ${repo}`, { repo, output: log.output.slice(-2000) });
  const found = newestMatch(head, headState, parseRawLog(log.stdout), wanted);
  if (!found.match) return { ...none, matched: found.best };
  // The walk assumed a linear first-parent history; the tree itself has the last word.
  const check = await stateAt(repo, found.match.commit, paths);
  const ok = wanted.every((w) => check.get(w.path)?.startsWith(w.blob));
  return {
    branch,
    commit: ok ? found.match.commit : null,
    matched: found.best,
    total: wanted.length,
    walked: found.match.walked,
  };
}
