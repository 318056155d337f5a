/**
 * Remote trees fetched on their node-cron schedules (bot/queue/tree-fetch.ts, started by
 * `daxbot run`), with real git: a bare repository served over file:// is advanced and the next
 * tick of a per-second schedule fetches the new head; taken away, a fetch fails, is recorded, and
 * is tried again after the backoff (not at the next tick), keeping the last good heads meanwhile.
 */
import { mkdtempSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../bot/log.ts';
import { startTreeFetches } from '../../bot/queue/tree-fetch.ts';
import { configSchema } from '../../config/schema.ts';
import { readFetchState } from '../../runners/tree/remote.ts';
import { treeRepoPath } from '../../runners/tree/remote-plan.ts';
import { commitFiles, git, initBare, initRepo } from '../helpers/git-repo.ts';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'daxbot-tree-fetch-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const upstream = initBare(path.join(tmp, 'cxl.git'));
const url = `file://${upstream}`;
const work = initRepo(path.join(tmp, 'cxl-work'));
const push = (): string => {
  git(work, 'push', '-q', upstream, 'HEAD:refs/heads/next');
  return git(work, 'rev-parse', 'HEAD');
};
const config = configSchema.parse({
  trees: [
    { name: 'local', path: work },
    // Every second, so the test sees ticks; deployments fetch hourly or so.
    { name: 'cxl', url, branches: ['next'], schedule: '* * * * * *' },
  ],
});
const treePath = (name: string): string =>
  treeRepoPath(config.trees.find((t) => t.name === name) ?? { name }, path.join(tmp, 'cache'), tmp);
const clone = treePath('cxl');

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('remote trees on their schedules', () => {
  it('fetches every remote tree (not the local one), then each tick fetches what the remote has now', async () => {
    commitFiles(work, { 'drivers/cxl/core.c': 'one\n' }, 'one');
    const first = push();
    const fetches = startTreeFetches({ trees: config.trees, treePath, log: silentLogger() });
    try {
      const all = await fetches.fetchAll();
      expect(all.map((s) => s.heads)).toEqual([{ next: first }]);
      commitFiles(work, { 'drivers/cxl/core.c': 'two\n' }, 'two');
      const second = push();
      const state = await until(
        () => readFetchState(clone, url),
        (s) => s.heads.next === second,
      );
      expect(state).toMatchObject({ heads: { next: second }, failures: 0 });
    } finally {
      await fetches.stop();
    }
  }, 30_000);

  it('a failed fetch keeps the last good heads and is tried again after its backoff', async () => {
    const good = git(work, 'rev-parse', 'HEAD');
    renameSync(upstream, `${upstream}.away`);
    const fetches = startTreeFetches({
      trees: config.trees.map((t) => (t.url ? { ...t, schedule: '0 0 1 1 *' } : t)), // no tick in the test
      treePath,
      log: silentLogger(),
      backoff: { firstMs: 300, maxMs: 1000 },
    });
    try {
      const [failed] = await fetches.fetchAll();
      expect(failed).toMatchObject({ fetched: false, heads: { next: good }, state: { failures: 1 } });
      expect(failed?.error).toBeTruthy();
      renameSync(`${upstream}.away`, upstream);
      // Only the retry timer can fetch now (the schedule does not tick).
      const state = await until(
        () => readFetchState(clone, url),
        (s) => s.failures === 0,
      );
      expect(state).toMatchObject({ failures: 0, lastError: null, heads: { next: good } });
    } finally {
      await fetches.stop();
    }
  }, 30_000);
});
