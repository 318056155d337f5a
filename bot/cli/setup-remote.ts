/** `daxbot setup --tree NAME` for a remote tree: its bare clone made and its branches fetched now. */
import type { Logger } from 'pino';
import { treeBranches, type TreeConfig } from '../../config/schema.ts';
import { remoteDirFor } from '../../runners/tree/remote-plan.ts';
import { syncRemote, type RemoteSync } from '../../runners/tree/remote.ts';

export async function setupRemoteTree(
  tree: TreeConfig,
  cacheDir: string,
  log: Logger,
): Promise<RemoteSync & { name: string; dir: string }> {
  const url = tree.url ?? '';
  const dir = remoteDirFor(cacheDir, url);
  const remote = { name: tree.name, url, branches: treeBranches(tree), dir, schedule: tree.schedule };
  const sync = await syncRemote(remote, { now: new Date(), log, force: true });
  return { ...sync, name: tree.name, dir };
}
