/**
 * Prerequisites from the store, with real git and a real SQLite store: a series sent with
 * `git format-patch --base` on top of another series that was posted to the list (so its mails
 * carry `base-commit:` and one `prerequisite-patch-id:` per patch under it) is found in the store
 * by patch id, applied first, and the base that is tested is the base-commit with it on top.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { createBaseIo } from '../../bot/jobs/base-io.ts';
import { discoverBase } from '../../bot/jobs/base-discovery.ts';
import { findPrerequisites, type PrerequisiteRequest } from '../../bot/jobs/prerequisites.ts';
import { rawMessagesMbox } from '../../bot/intake/raw-mbox.ts';
import { openStore } from '../../bot/store/store.ts';
import { configSchema, sourceSchema } from '../../config/schema.ts';
import { exportAmMbox } from '../../bot/intake/am-export.ts';
import { refreshSeries } from '../../bot/intake/refresh-series.ts';
import { ingestOne } from '../../bot/intake/run-ingest.ts';
import type { SeriesVersion } from '../../ingest/series/types.ts';
import { commitFiles, editLine, formatPatches, git, initRepo, lines } from '../helpers/git-repo.ts';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'daxbot-prereq-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const log = pino({ level: 'silent' });

const repo = initRepo(path.join(tmp, 'linux'));
const dax = lines('dax');
const upstream = commitFiles(repo, { 'fs/dax.c': dax }, 'upstream');
const to = 'nvdimm@lists.linux.dev';
// The first series, posted on its own, then a second series made on top of it.
commitFiles(repo, { 'fs/dax.c': editLine(dax, 5, 'first series') }, 'dax: the first series, patch 1');
commitFiles(repo, { 'fs/dax-new.c': 'new\n' }, 'dax: the first series, patch 2');
const first = formatPatches(repo, `${upstream}..HEAD`, { cover: true, to, title: 'dax: the first series' });
commitFiles(repo, { 'fs/dax.c': editLine(editLine(dax, 5, 'first series'), 6, 'second') }, 'dax: the second series');
const second = formatPatches(repo, 'HEAD~1..HEAD', { cover: true, to, base: upstream, title: 'dax: the second' });
git(repo, 'reset', '-q', '--hard', upstream);
const mbox = path.join(tmp, 'list.mbox');
writeFileSync(mbox, first + second);

describe('prerequisite-patch-id: the series under it comes from the store', () => {
  it('is named in the second series, found by patch id, and applied first', async () => {
    expect(second).toMatch(/^prerequisite-patch-id: [0-9a-f]{40}$/m);
    const store = await openStore(path.join(tmp, 'daxbot.sqlite'));
    try {
      await ingestOne(sourceSchema.parse({ kind: 'mbox', name: 'list', path: mbox }), store, log);
      await refreshSeries(store, { now: new Date(), log });
      const rows = await store.db.selectFrom('series_versions').select(['version_key', 'data']).execute();
      const versions = rows.map((r) => JSON.parse(r.data) as SeriesVersion);
      const dependent = versions.find((v) => v.prerequisitePatchIds.length > 0);
      expect(dependent).toMatchObject({ baseCommit: upstream });
      expect(dependent?.prerequisitePatchIds).toHaveLength(2);
      if (!dependent) return;
      const prerequisites = (req: PrerequisiteRequest) =>
        findPrerequisites(
          {
            db: store.db,
            exportMbox: (key) => exportAmMbox(store, key),
            messagesMbox: (ids) => rawMessagesMbox(store, ids),
          },
          req,
        );
      const found = await prerequisites({
        patchIds: dependent.prerequisitePatchIds,
        messageIds: [],
        before: dependent.lastDate,
      });
      expect(found.map((f) => f.label)).toEqual([
        '"dax: the first series" v1 (2 patches)',
        '"dax: the first series" v1 (2 patches)',
      ]);

      const seriesMbox = path.join(tmp, 'second.mbox');
      writeFileSync(seriesMbox, await exportAmMbox(store, dependent.key));
      const config = configSchema.parse({ trees: [{ name: 'linux', path: repo }] });
      const io = createBaseIo({
        cacheDir: path.join(tmp, 'cache'),
        trees: config.trees,
        log,
        now: () => new Date(),
        prerequisites,
      });
      const d = await discoverBase(
        {
          mbox: seriesMbox,
          baseCommit: dependent.baseCommit,
          prerequisitePatchIds: dependent.prerequisitePatchIds,
          prerequisiteMessageIds: [],
          trees: [{ name: 'linux', repo, branches: ['HEAD'], route: 'catch-all', url: null }],
          date: dependent.lastDate,
        },
        io,
      );
      expect(d.choice).toMatchObject({ tree: 'linux', upstream, method: 'base-commit', certain: true });
      expect(d.choice?.how).toBe('base-commit trailer, with the prerequisite series applied first');
      expect(git(repo, 'show', `${d.choice?.base}:fs/dax.c`)).toContain('first series');
      expect(d.attempts.map((a) => [a.step, a.ok])).toEqual([
        ['base-commit', true],
        ['prerequisites', true],
        ['prerequisites', true],
      ]);
      expect(readFileSync(seriesMbox, 'utf8')).toContain('dax: the second series');
    } finally {
      await store.close();
    }
  });
});
