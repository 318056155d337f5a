/**
 * ndctl's own series as a project: a tree's `project` (default kernel), the routing of a series
 * to its project's trees only, and the dispatch of `[ndctl PATCH]` series to the runners of
 * project ndctl (kind ndctl) and kernel series to the kernel runners, on a real store with two
 * project-written mboxes ingested (a kernel series and an ndctl series, both to nvdimm).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { setupTargets } from '../../../../bot/cli/setup-targets.ts';
import { refreshSeries } from '../../../../bot/intake/refresh-series.ts';
import { ingestOne } from '../../../../bot/intake/run-ingest.ts';
import { projectTrees } from '../../../../bot/jobs/context.ts';
import { silentLogger } from '../../../../bot/log.ts';
import { enqueueNewVersions, enqueueRerunGroup } from '../../../../bot/queue/enqueue.ts';
import { listJobs } from '../../../../bot/store/jobs.ts';
import { openStore } from '../../../../bot/store/store.ts';
import { configSchema, sourceSchema, treeDebianSeries, treeSchema } from '../../../../config/schema.ts';
import { runnerProject } from '../../../../runners/registry.ts';

const patches = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../fixtures/patches');
const dir = mkdtempSync(path.join(tmpdir(), 'daxbot-unit-project-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TREES = [
  { name: 'linux-6.1', lists: ['nvdimm.lists.linux.dev'] },
  { name: 'ndctl', project: 'ndctl', url: 'https://github.com/pmem/ndctl.git', branches: ['pending', 'main'] },
];

describe('a tree of another project', () => {
  it('is a kernel tree unless it says otherwise, and an ndctl tree is a url or a path', () => {
    expect(treeSchema.parse({ name: 'linux-6.1' }).project).toBe('kernel');
    const bad = treeSchema.safeParse({ name: 'ndctl', project: 'ndctl' });
    expect(bad.success ? [] : bad.error.issues.map((i) => i.message)).toEqual(['a ndctl tree is a url or a path']);
    const ndctl = treeSchema.parse(TREES[1]);
    expect([ndctl.project, treeDebianSeries(ndctl)]).toEqual(['ndctl', null]);
    expect(treeDebianSeries(treeSchema.parse({ name: 'x', project: 'ndctl', path: '/srv/ndctl' }))).toBeNull();
  });

  it('is cloned by `daxbot setup` beside the Debian kernel trees, and routes only its own series', () => {
    const config = configSchema.parse({ trees: TREES });
    expect(setupTargets(config, { guest: false }).map((t) => t.name)).toEqual(['linux-6.1', 'ndctl']);
    expect(projectTrees(config.trees, 'ndctl').map((t) => t.name)).toEqual(['ndctl']);
    expect(projectTrees(config.trees, 'kernel').map((t) => t.name)).toEqual(['linux-6.1']);
  });
});

describe('dispatch by project (real store, ingested mboxes)', () => {
  it('sends the ndctl series to the ndctl runner and the kernel series to the kernel runner', async () => {
    const store = await openStore(path.join(dir, 'daxbot.sqlite'));
    const log = silentLogger();
    const now = new Date('2026-12-01T00:00:00.000Z');
    for (const f of ['ndctl-create-namespace-series.mbox', 'nvdimm-mode-fsdax-series.mbox'])
      await ingestOne(sourceSchema.parse({ kind: 'mbox', name: f, path: path.join(patches, f) }), store, log);
    await refreshSeries(store, { now, log });
    const runners = [
      { name: 'nfit-sim', kind: 'nfit-sim' },
      { name: 'ndctl', kind: 'ndctl' },
    ];
    const config = configSchema.parse({ trees: TREES, runners });
    expect(config.runners.map(runnerProject)).toEqual(['kernel', 'ndctl']);
    const versions = await store.db.selectFrom('series_versions').select(['version_key', 'project']).execute();
    const keyOf = (project: string): string => versions.find((v) => v.project === project)?.version_key ?? '';

    // Without an ndctl tree, an ndctl series waits: no runner is given it.
    const kernelOnly = configSchema.parse({ trees: [TREES[0]], runners });
    await enqueueNewVersions(store, kernelOnly, { now, since: null });
    expect((await listJobs(store.db, {})).map((j) => [j.versionKey, j.runner])).toEqual([
      ['' + keyOf('kernel'), 'nfit-sim'],
    ]);

    await enqueueNewVersions(store, config, { now, since: null });
    const jobs = await listJobs(store.db, {});
    expect(jobs.map((j) => [j.versionKey, j.runner]).sort()).toEqual(
      [
        [keyOf('kernel'), 'nfit-sim'],
        [keyOf('ndctl'), 'ndctl'],
      ].sort(),
    );
    // A re-run goes to the series' own project's runners too.
    const rerun = await enqueueRerunGroup(store, config, keyOf('ndctl'), { requestedBy: 'test' }, now);
    const after = await listJobs(store.db, {});
    expect(after.filter((j) => rerun.includes(j.id)).map((j) => j.runner)).toEqual(['ndctl']);
    await store.close();
  });
});
