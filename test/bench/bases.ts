/**
 * `npm run bench -- bases`: base discovery on the real nvdimm archive with the two real Debian
 * trees (linux-6.1 and linux-6.12 from ~/.cache/daxbot) configured for the list. The archive is
 * ingested into a fresh store; for each kernel series version (newest revision of a series,
 * complete) posted in the window, base discovery runs as a job runs it (bot/jobs/base-discovery.ts
 * on the real boundary). Prints how many were found by each step, how many have no base, and how
 * the time splits: blob matching (cat-file, log, ls-tree), trial `git am`, the rest.
 * BENCH_BASES_FROM / BENCH_BASES_TO set the window (default 2022-08-15 .. 2023-01-31).
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createBaseIo } from '../../bot/jobs/base-io.ts';
import { discoverBase } from '../../bot/jobs/base-discovery.ts';
import type { BaseDiscovery, DiscoveryIo } from '../../bot/jobs/base-types.ts';
import { silentLogger } from '../../bot/log.ts';
import { openStore } from '../../bot/store/store.ts';
import { configSchema } from '../../config/schema.ts';
import { exportAmMbox } from '../../bot/intake/am-export.ts';
import { ingestSource } from '../../bot/intake/ingest.ts';
import { refreshSeries } from '../../bot/intake/refresh-series.ts';
import { realIngestDeps } from '../../bot/intake/run-ingest.ts';
import type { SeriesVersion } from '../../ingest/series/types.ts';
import { createMboxSource } from '../../ingest/sources/mbox/index.ts';
import { kernelCacheDir, repoRoot } from '../helpers/kernel-env.ts';

const ARCHIVE = path.join(repoRoot, '..', 'shared', 'corpus', 'lore-nvdimm', 'nvdimm.all.mboxrd.gz');

/** The newest complete revision of each kernel series posted in the window. */
function windowVersions(all: SeriesVersion[], from: string, to: string): SeriesVersion[] {
  const inWindow = all.filter(
    (v) => v.project === 'kernel' && v.complete && v.firstDate !== null && v.firstDate >= from && v.firstDate <= to,
  );
  return inWindow.sort((a, b) => (a.firstDate ?? '').localeCompare(b.firstDate ?? ''));
}

/** The boundary with each call timed by kind. */
function timedIo(io: DiscoveryIo, ms: Record<string, number>): DiscoveryIo {
  const time =
    <A extends unknown[], R>(kind: string, f: (...a: A) => Promise<R>) =>
    async (...a: A): Promise<R> => {
      const t = performance.now();
      try {
        return await f(...a);
      } finally {
        ms[kind] = (ms[kind] ?? 0) + performance.now() - t;
      }
    };
  return {
    ...io,
    missingBlobs: time('blobs', io.missingBlobs),
    matchOnBranch: time('blobs', io.matchOnBranch),
    trial: time('am', io.trial),
  };
}

export async function benchBases(): Promise<void> {
  const trees = ['linux-6.1', 'linux-6.12'].map((t) => path.join(kernelCacheDir, t));
  if (!existsSync(ARCHIVE) || !trees.every((t) => existsSync(path.join(t, '.git')))) {
    process.stdout.write('bases: needs ../shared/corpus/lore-nvdimm and both Debian trees (daxbot setup); skipped\n');
    return;
  }
  const from = process.env.BENCH_BASES_FROM ?? '2022-08-15';
  const to = process.env.BENCH_BASES_TO ?? '2023-01-31T23:59:59';
  const dir = mkdtempSync(path.join(os.tmpdir(), 'daxbot-bench-bases-'));
  const store = await openStore(path.join(dir, 'db.sqlite'));
  const log = silentLogger();
  try {
    const source = createMboxSource({ kind: 'mbox', name: 'archive', path: ARCHIVE, schedule: '* * * * *' });
    await ingestSource(source, realIngestDeps(store, log));
    await source.close();
    await refreshSeries(store, { now: new Date(), log });
    const rows = await store.db.selectFrom('series_versions').select('data').execute();
    const versions = windowVersions(
      rows.map((r) => JSON.parse(r.data) as SeriesVersion),
      from,
      to,
    );
    const config = configSchema.parse({
      trees: [
        { name: 'linux-6.1', debian: '6.1', lists: ['nvdimm.lists.linux.dev'] },
        { name: 'linux-6.12', debian: '6.12', lists: ['nvdimm.lists.linux.dev'] },
      ],
    });
    const ms: Record<string, number> = {};
    const io = timedIo(
      createBaseIo({
        cacheDir: path.join(dir, 'cache'),
        trees: config.trees,
        log,
        now: () => new Date(),
        prerequisites: async () => [],
      }),
      ms,
    );
    const results: { v: SeriesVersion; d: BaseDiscovery }[] = [];
    const started = performance.now();
    for (const v of versions) {
      const mbox = path.join(dir, 'series.mbox');
      writeFileSync(mbox, await exportAmMbox(store, v.key));
      const d = await discoverBase(
        {
          mbox,
          baseCommit: v.baseCommit,
          prerequisitePatchIds: [],
          prerequisiteMessageIds: [],
          trees: config.trees.map((t, i) => ({
            name: t.name,
            repo: trees[i] ?? '',
            branches: ['HEAD'],
            route: 'list nvdimm.lists.linux.dev',
            url: null,
          })),
        },
        io,
      );
      results.push({ v, d });
    }
    const total = performance.now() - started;
    report(results, total, ms, from, to);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function report(
  results: { v: SeriesVersion; d: BaseDiscovery }[],
  total: number,
  ms: Record<string, number>,
  from: string,
  to: string,
): void {
  const out = (s: string): boolean => process.stdout.write(`${s}\n`);
  for (const { v, d } of results) {
    const how = d.choice ? `${d.choice.tree}: ${d.choice.how}` : 'untestable: no base';
    out(`  ${(v.firstDate ?? '').slice(0, 10)}  ${v.subject.slice(0, 60).padEnd(60)}  ${how} (${d.ms} ms)`);
  }
  const by = (m: string) => results.filter((r) => r.d.choice?.method === m).length;
  const n = results.length;
  out(
    `bases ${from}..${to}: ${n} kernel series versions; base-commit ${by('base-commit')}, blobs ${by('blobs')}, ` +
      `trial am ${by('tree-head')}, no base ${results.filter((r) => !r.d.choice).length}`,
  );
  const blobs = ms.blobs ?? 0;
  const am = ms.am ?? 0;
  out(
    `bases: ${(total / 1000).toFixed(1)} s in all, ${(n / (total / 1000)).toFixed(2)} series/s; ` +
      `per series ${(total / n).toFixed(0)} ms: blob matching ${(blobs / n).toFixed(0)} ms ` +
      `(${((blobs / total) * 100).toFixed(0)}%), trial git am ${(am / n).toFixed(0)} ms (${((am / total) * 100).toFixed(0)}%), ` +
      `rest ${((total - blobs - am) / n).toFixed(0)} ms`,
  );
}
