/**
 * Every dashboard page over the whole real nvdimm archive (~1,277 series versions) and a few
 * hundred recorded runs (test/helpers/archive-store.ts), through the real HTTP server: each page
 * is fetched several times, and the median and worst time per page are printed, with the
 * slowest page's median against the 200 ms goal. HTML pages and their JSON twins alike.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startDashboard } from '../../bot/dashboard/server.ts';
import { silentLogger } from '../../bot/log.ts';
import { archiveStore } from '../helpers/archive-store.ts';
import { testConfig } from '../helpers/pipeline-fakes.ts';

const ROUNDS = 7;

async function pages(store: NonNullable<Awaited<ReturnType<typeof archiveStore>>>): Promise<string[]> {
  const big = await store.db
    .selectFrom('series_versions as sv')
    .innerJoin('jobs as j', 'j.version_key', 'sv.version_key')
    .select(['sv.version_key', 'sv.root_message_id'])
    .orderBy('sv.expected', 'desc')
    .executeTakeFirstOrThrow();
  const run = await store.db.selectFrom('runs').select('run_no').orderBy('id', 'desc').executeTakeFirstOrThrow();
  const key = encodeURIComponent(big.version_key);
  return [
    '/',
    '/index.json',
    '/series',
    '/series.json',
    '/series?page=20',
    '/series?q=dax%20fix',
    '/series.json?q=nvdimm&page=2',
    '/series?outcome=regression&sort=tested',
    '/series?runner=qemu-pmem&from=2025-01-01&to=2026-12-31',
    `/series/${key}`,
    `/series/${key}.json`,
    `/series/${encodeURIComponent(big.root_message_id)}`,
    `/runs/${run.run_no}`,
    '/baselines',
    '/stats',
    '/stats.json?weeks=104',
  ];
}

export async function benchDashboard(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'daxbot-bench-dash-'));
  const t0 = performance.now();
  const store = await archiveStore(path.join(dir, 'db.sqlite'));
  if (!store) {
    process.stdout.write('skipped: ../shared/corpus/lore-nvdimm is not there\n');
    return;
  }
  const versions = await store.db
    .selectFrom('series_versions')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirst();
  const runs = await store.db
    .selectFrom('runs')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirst();
  process.stdout.write(
    `store ready in ${Math.round(performance.now() - t0)} ms: ${String(versions?.n)} versions, ${String(runs?.n)} job runs\n`,
  );
  const config = testConfig({ mail: { dashboardUrl: 'http://127.0.0.1' } });
  const deps = { store, config, log: silentLogger(), now: () => new Date('2026-12-01T00:00:00.000Z') };
  const dash = await startDashboard(
    { ...deps, secret: () => 'bench', secretEnv: 'X', artifactsDir: path.join(dir, 'a') },
    { host: '127.0.0.1', port: 0 },
  );
  let worstMedian = 0;
  try {
    for (const p of await pages(store)) {
      const times: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        const t = performance.now();
        const res = await fetch(`${dash.url}${p}`, { redirect: 'manual' });
        await res.arrayBuffer();
        times.push(performance.now() - t);
        if (res.status >= 400) throw new Error(`${p}: HTTP ${res.status}`);
      }
      times.sort((a, b) => a - b);
      const median = times[Math.floor(times.length / 2)] ?? 0;
      worstMedian = Math.max(worstMedian, median);
      const line = `${p.padEnd(56)} median ${median.toFixed(1).padStart(7)} ms  worst ${(times.at(-1) ?? 0).toFixed(1).padStart(7)} ms`;
      process.stdout.write(`${line}\n`);
    }
  } finally {
    await dash.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(`slowest page median: ${worstMedian.toFixed(1)} ms (goal: under 200 ms)\n`);
}
