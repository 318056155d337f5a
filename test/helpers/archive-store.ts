/**
 * A store holding the whole real nvdimm archive (14,925 messages, ~1,277 series versions) and a
 * few hundred finished test jobs over it (recorded through the store's own functions: outcomes,
 * runs with build and boot times, test results with some flakes), as the dashboard's browser
 * test and bench read it. Built once into the shared cache (`$DAXBOT_CACHE_DIR/dashboard/`,
 * keyed by the archive's size and the migration list) and copied for each user, since the
 * ingest takes a minute. Null when the archive is absent (../shared is not there).
 */
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { ingestSource } from '../../bot/intake/ingest.ts';
import { refreshSeries } from '../../bot/intake/refresh-series.ts';
import { realIngestDeps } from '../../bot/intake/run-ingest.ts';
import { silentLogger } from '../../bot/log.ts';
import { updateJob } from '../../bot/store/jobs.ts';
import { insertJobGroup } from '../../bot/store/job-groups.ts';
import { migrations } from '../../bot/store/migrations/index.ts';
import { recordBaseline, recordRun } from '../../bot/store/runs.ts';
import { openStore, type Store } from '../../bot/store/store.ts';
import { createMboxSource } from '../../ingest/sources/mbox/index.ts';
import type { RunResult } from '../../runners/types.ts';
import { runResult } from './pipeline-fakes.ts';

export const NVDIMM_ARCHIVE = path.resolve('..', 'shared', 'corpus', 'lore-nvdimm', 'nvdimm.all.mboxrd.gz');
const OUTCOMES = ['pass', 'pass', 'pass', 'regression', 'build-failed', 'pre-existing-only', 'apply-failed', 'infra'];
const DAY = 86_400_000;
/** Bumped whenever what addRuns records changes, so the cached store is rebuilt. */
const GENERATOR = 2;

function cachedFile(): string {
  const cache = process.env.DAXBOT_CACHE_DIR ?? path.join(homedir(), '.cache', 'daxbot');
  const tag = `${statSync(NVDIMM_ARCHIVE).size}-${Object.keys(migrations('sqlite')).length}-${GENERATOR}`;
  return path.join(cache, 'dashboard', `nvdimm-archive-${tag}.sqlite`);
}

function result(i: number, failed: boolean): RunResult {
  const flaky = i % 7 === 0;
  return runResult({
    runner: i % 3 === 0 ? 'nfit-sim' : 'qemu-pmem',
    failureClass: failed ? 'kernel' : 'none',
    summary: failed ? 'dax.mmap-sync failed' : 'all tests passed',
    tests: [
      { suite: 'dax', name: 'mmap-sync', status: failed ? 'fail' : 'pass' },
      { suite: 'dax', name: 'fsdax-mount', status: flaky && i % 2 === 0 ? 'fail' : 'pass' },
      { suite: 'dax', name: 'devdax-map', status: 'pass' },
    ],
    timings: { buildMs: 240_000 + (i % 11) * 9_000, bootMs: 20_000 + (i % 5) * 3_000 },
  });
}

/** `count` finished jobs over the newest versions, a week apart in groups, each with a base and a series run. */
async function addRuns(store: Store, count: number): Promise<void> {
  const versions = await store.db
    .selectFrom('series_versions')
    .select('version_key')
    .orderBy('last_date', 'desc')
    .limit(count)
    .execute();
  const start = Date.parse('2026-06-01T00:00:00.000Z');
  for (const [i, v] of versions.entries()) {
    const at = new Date(start + (i % 150) * DAY + i * 60_000).toISOString();
    const runner = i % 3 === 0 ? 'nfit-sim' : 'qemu-pmem';
    const [id] = await insertJobGroup(
      store.db,
      [{ versionKey: v.version_key, trigger: 'new', priority: 0, runner }],
      at,
    );
    if (id === undefined) continue;
    const outcome = OUTCOMES[i % OUTCOMES.length] ?? 'pass';
    const key = { runner, treeCommit: `${'c'.repeat(39)}${i % 10}`, configHash: 'cfg', suites: ['dax'] };
    await recordBaseline(store.db, key, 0, result(i + 1, false), 300_000, at);
    const run = { step: 'series:0', role: 'series', patchLimit: null, durationMs: 310_000 };
    await recordRun(store.db, id, { ...run, result: result(i, outcome === 'regression') }, at);
    // A confirmation repeat where the flaky test passes: the pair shows as a flake.
    if (i % 14 === 0) await recordRun(store.db, id, { ...run, step: 'series:1', result: result(i + 1, false) }, at);
    await updateJob(store.db, id, { state: 'done', outcome, summary: `${outcome} (demo run)`, finishedAt: at }, at);
  }
}

async function build(file: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  rmSync(tmp, { force: true });
  const store = await openStore(tmp);
  try {
    const log = silentLogger();
    const source = createMboxSource({ kind: 'mbox', name: 'nvdimm', path: NVDIMM_ARCHIVE, schedule: '* * * * *' });
    await ingestSource(source, realIngestDeps(store, log));
    await source.close();
    await refreshSeries(store, { now: new Date('2026-12-01T00:00:00.000Z'), log });
    await addRuns(store, 300);
  } finally {
    await store.close();
  }
  rmSync(`${tmp}-wal`, { force: true });
  rmSync(`${tmp}-shm`, { force: true });
  renameSync(tmp, file);
}

/** A private copy of the archive store at `dest` (built into the cache first when missing). */
export async function archiveStore(dest: string): Promise<Store | null> {
  if (!existsSync(NVDIMM_ARCHIVE)) return null;
  const file = cachedFile();
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    await build(file);
  }
  copyFileSync(file, dest);
  return openStore(dest);
}
