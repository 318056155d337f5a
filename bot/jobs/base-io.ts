/**
 * Base discovery's boundary on real git (runners/tree): heads of local trees read from their
 * repositories, heads of remote trees fetched when older than their schedule (remote.ts), commits
 * looked up and fetched by id, blob matching, trial `git am` in each repository's trial worktree,
 * and the prerequisites from the store (passed in).
 */
import type { Logger } from 'pino';
import { treeBranches, type TreeConfig } from '../../config/schema.ts';
import { splitMbox } from '../../runners/tree/apply.ts';
import { matchOnBranch, missingBlobs } from '../../runners/tree/blob-match.ts';
import { commitOf } from '../../runners/tree/git-run.ts';
import { fetchCommitById, remoteHeads, type RemoteTree } from '../../runners/tree/remote.ts';
import { trialAm, trialDirFor } from '../../runners/tree/trial-am.ts';
import { InfraError } from '../errors.ts';
import type { DiscoveryIo, DiscoveryTree } from './base-types.ts';

export interface BaseIoOptions {
  cacheDir: string;
  trees: readonly TreeConfig[];
  log: Logger;
  now: () => Date;
  prerequisites: DiscoveryIo['prerequisites'];
}

/** A configured remote tree as runners/tree/remote.ts takes it; `repo` is its clone. */
export function remoteTreeOf(tree: TreeConfig, repo: string): RemoteTree | null {
  if (!tree.url) return null;
  return { name: tree.name, url: tree.url, branches: treeBranches(tree), dir: repo, schedule: tree.schedule };
}

/** The configured trees in routing order, as discovery sees them. */
export function discoveryTrees(
  ranked: readonly { tree: TreeConfig; reason: string }[],
  treePath: (name: string) => string,
): DiscoveryTree[] {
  return ranked.map(({ tree, reason }) => ({
    name: tree.name,
    repo: treePath(tree.name),
    branches: treeBranches(tree),
    route: reason,
    url: tree.url ?? null,
  }));
}

async function localHeads(tree: DiscoveryTree): Promise<Record<string, string>> {
  const heads: Record<string, string> = {};
  for (const b of tree.branches) {
    const sha = await commitOf(tree.repo, b);
    if (!sha) throw new InfraError(`tree ${tree.name} has no commit for ${b}`, { tree: tree.name, repo: tree.repo });
    heads[b] = sha;
  }
  return heads;
}

export function createBaseIo(o: BaseIoOptions): DiscoveryIo {
  const remote = (t: DiscoveryTree): RemoteTree | null => {
    const config = o.trees.find((x) => x.name === t.name);
    return config ? remoteTreeOf(config, t.repo) : null;
  };
  return {
    async heads(tree) {
      const r = remote(tree);
      return r ? remoteHeads(r, { now: o.now(), log: o.log }) : localHeads(tree);
    },
    commit: (tree, rev) => commitOf(tree.repo, rev),
    async fetchCommit(tree, sha) {
      const r = remote(tree);
      return r ? fetchCommitById(r, sha, o.log) : false;
    },
    missingBlobs: (tree, wanted) => missingBlobs(tree.repo, wanted),
    matchOnBranch: (tree, branch, head, wanted) => matchOnBranch(tree.repo, branch, wanted, { rev: head }),
    trial: (tree, req) => trialAm({ repo: tree.repo, trialDir: trialDirFor(o.cacheDir, tree.repo), ...req }),
    prerequisites: o.prerequisites,
    split: splitMbox,
  };
}
