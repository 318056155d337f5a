/**
 * The vocabulary of base discovery: what it is asked (a series, its trailers, the configured trees
 * in routing order), the boundary it works through (git and the store, DiscoveryIo), and what it
 * answers (the chosen tree and base, how they were found, whether that is certain, every attempt).
 */
import type { BranchMatch } from '../../runners/tree/blob-match.ts';
import type { PreimageBlob } from '../../runners/tree/series-blobs.ts';
import type { TrialResult } from '../../runners/tree/trial-am.ts';

export type BaseStep = 'maintainer' | 'base-commit' | 'prerequisites' | 'blobs' | 'trial';

/** One thing tried, in order; shown in the reply, on the dashboard and by `series show`. */
export interface BaseAttempt {
  step: BaseStep;
  ok: boolean;
  /** One line: "base-commit 0123456789ab not in linux-6.1". */
  note: string;
  tree?: string;
  branch?: string;
  /** The commit tried or found. */
  commit?: string;
  failedPatch?: number;
  conflictFiles?: string[];
  ms: number;
}

export type BaseMethod = 'maintainer' | 'base-commit' | 'blobs' | 'tree-head';

export interface BaseChoice {
  tree: string;
  branch: string | null;
  /** The commit the series is applied to: `upstream`, with the prerequisite series on top if any. */
  base: string;
  upstream: string;
  method: BaseMethod;
  /** Named by a maintainer, a base-commit found, or blob-matched, with every prerequisite found. */
  certain: boolean;
  /** For "What was tested": "base-commit trailer", "blobs of 7 files match linux-6.12 at 0123abcd". */
  how: string;
}

export interface BaseDiscovery {
  /** Null: the series applies to no candidate ("untestable: no base"). */
  choice: BaseChoice | null;
  /** With no choice: the first candidate's head, where `mail.applyFailures: always` reports. */
  fallback: BaseChoice | null;
  attempts: BaseAttempt[];
  /** Time spent, and the part of it in trial `git am`. */
  ms: number;
  amMs: number;
}

/** A configured tree as discovery sees it, in routing order. */
export interface DiscoveryTree {
  name: string;
  /** The repository holding its objects (the cached tree, a user's repository, a remote's clone). */
  repo: string;
  branches: string[];
  /** Why routing put it in this place: "list nvdimm.lists.linux.dev". */
  route: string;
  /** The remote it is fetched from, or null for a local tree. */
  url: string | null;
}

export interface DiscoveryRequest {
  /** The series' am-ready mbox (a file). */
  mbox: string;
  baseCommit: string | null;
  prerequisitePatchIds: string[];
  prerequisiteMessageIds: string[];
  /** A base a maintainer named (`#daxbot test base`, `rerun --base`). */
  requested?: { rev: string; by: string };
  trees: DiscoveryTree[];
  /** When the series was posted: prerequisites are looked for among patches posted before. */
  date?: string | null;
}

/** A prerequisite trailer and what the store holds for it. */
export interface PrerequisiteFound {
  kind: 'patch-id' | 'message-id';
  id: string;
  /** "fs/dax: foo" v2 (3 patches); null when the store does not have it. */
  label: string | null;
  /** The patches as mbox text, in order; empty when not found. */
  mbox: string;
}

/** The boundary: git through runners/tree, the store for prerequisites. */
export interface DiscoveryIo {
  /** Branch heads to use (a remote is fetched first when its heads are older than its schedule). */
  heads(tree: DiscoveryTree): Promise<Record<string, string>>;
  /** Full sha of `rev` in the tree's repository, or null. */
  commit(tree: DiscoveryTree, rev: string): Promise<string | null>;
  /** Fetches a commit by id from the tree's remote; false for a local tree or a refusal. */
  fetchCommit(tree: DiscoveryTree, sha: string): Promise<boolean>;
  missingBlobs(tree: DiscoveryTree, wanted: PreimageBlob[]): Promise<PreimageBlob[]>;
  matchOnBranch(tree: DiscoveryTree, branch: string, head: string, wanted: PreimageBlob[]): Promise<BranchMatch>;
  trial(
    tree: DiscoveryTree,
    req: { base: string; reason: string; patches: string[]; paths: string[]; keepRef?: string },
  ): Promise<TrialResult>;
  prerequisites(req: { patchIds: string[]; messageIds: string[]; before: string | null }): Promise<PrerequisiteFound[]>;
  /** The patch mails of an mbox file as files in `dir`, in order (git mailsplit). */
  split(mbox: string, dir: string): Promise<string[]>;
}

/** What a job keeps in `jobs.base` once it has looked for its base. */
export interface JobBaseRecord {
  discovery: BaseDiscovery;
  /** What the job tests: the choice, else (mail.applyFailures: always) the fallback; null: no base. */
  tested: BaseChoice | null;
}
