/**
 * The demo for real (heavy: kernel builds and QEMU boots): the demo inbox ingested from its mbox,
 * both series tested by the qemu-pmem runner on the cached linux-6.1 tree, replies in a maildir.
 * Shares the cached tree and build folder (DAXBOT_CACHE_DIR or <repo>/var/cache) with the other
 * heavy tests; the runner serializes builds with flock. The run's `daxbot export kcidb` is checked
 * by kcidb-io's own validator (issue 15, must-show 3).
 * The regression reply's reproducer is then run as a reader would, with the run's files alone:
 * they are served at the URLs the reply gives (`/runs/<id>/artifacts/<name>`, the dashboard's
 * shape; here a local server of copies made right after each run), its boot block boots the
 * tested kernel and guest in an empty folder and meets the same crash, and its build block
 * applies the series in a worktree of the tree and makes the same .config (`make bzImage` is
 * left out: a cold build costs half an hour here, and the boot already used the built image).
 * lore is not reachable here: `b4` is given the demo inbox as its local mailbox (`-m`).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/load.ts';
import { runCycle } from '../../bot/queue/cycle.ts';
import { listJobs } from '../../bot/store/jobs.ts';
import { jobRuns } from '../../bot/store/runs.ts';
import { openStore } from '../../bot/store/store.ts';
import type { KcidbBuild, KcidbReport } from '../../bot/outputs/kcidb/types.ts';
import { kcidbIoAvailable, validateKcidb } from '../helpers/kcidb-io.ts';
import { kernelCacheDir as cacheDir, kernelTestsAvailable, repoRoot, wireRepoPipeline } from '../helpers/kernel-env.ts';
import { keepingRunner, reproducerScripts, runScript, serveKeptArtifacts } from '../helpers/reproducer.ts';

const available = kernelTestsAvailable();

const dir = mkdtempSync(path.join(tmpdir(), 'daxbot-demo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `daxbot export kcidb` of the run passes kcidb-io's validator; the same report broken does not. */
function checkKcidbExport(db: string): void {
  const file = path.join(dir, 'kcidb.json');
  execFileSync(process.execPath, ['bin/daxbot.js', '--db', db, 'export', 'kcidb', '-o', file], { cwd: repoRoot });
  const report = JSON.parse(readFileSync(file, 'utf8')) as KcidbReport; // our own export; kcidb-io checks it
  expect(validateKcidb(report)).toEqual({ ok: true, schema: 'v5.3' });
  expect(report.tests.some((t) => t.path?.startsWith('dax.') && t.status === 'PASS')).toBe(true);
  const broken: { builds: Partial<KcidbBuild>[] } = structuredClone(report);
  for (const b of broken.builds) delete b.checkout_id;
  expect(validateKcidb(broken)).toMatchObject({
    ok: false,
    error: expect.stringMatching(/'checkout_id' is a required/),
  });
  const counts = JSON.stringify(Object.entries(report).map(([k, v]) => [k, Array.isArray(v) ? v.length : v]));
  process.stderr.write(`pipeline demo: KCIDB export ${counts} validated by kcidb-io\n`);
}

describe.skipIf(!available)('pipeline demo with the qemu-pmem runner (heavy)', () => {
  it(
    'clean series passes silently; five-patch series is bisected to patch 3 with the crash',
    async () => {
      const loaded = loadConfig(path.join(repoRoot, 'config', 'demo.yaml'), process.env);
      if (!loaded.ok) throw new Error(loaded.errors.join('; '));
      const config = {
        ...loaded.config,
        cacheDir,
        workDir: path.join(dir, 'work'),
        mail: { ...loaded.config.mail, outbox: path.join(dir, 'outbox') },
        // One run per side keeps this test to the fewest builds; the demo script confirms with a repeat.
        // Every patch of the demo's series builds: no per-patch builds (pipeline-build-bisect has them).
        schedule: { ...loaded.config.schedule, confirmRepeats: 0, buildEachPatch: false },
      };
      const store = await openStore(path.join(dir, 'db.sqlite'));
      const kept = path.join(dir, 'kept');
      const served = await serveKeptArtifacts(store.db, kept);
      config.mail = { ...config.mail, dashboardUrl: served.url };
      const deps = wireRepoPipeline(config, store);
      const runnerFor = deps.runnerFor.bind(deps);
      deps.runnerFor = (rc) => keepingRunner(runnerFor(rc), kept);
      const t0 = Date.now();
      const report = await runCycle(deps, { since: null });
      const elapsed = Date.now() - t0;
      expect(report.jobs.map((j) => j.exit)).toEqual(['done', 'done']);

      const jobs = await listJobs(store.db, {});
      const clean = jobs.find((j) => j.versionKey.startsWith('cover.1795317600'));
      const bad = jobs.find((j) => j.versionKey.startsWith('cover.1795320939'));
      expect(clean?.outcome).toBe('pass');
      expect(bad?.outcome).toBe('regression');

      const runs = await jobRuns(store.db, bad?.id ?? -1);
      const bisectSteps = runs.filter((r) => r.role === 'bisect');
      expect(bisectSteps.length).toBeGreaterThan(0);
      expect(bisectSteps.length).toBeLessThanOrEqual(4);

      const files = readdirSync(path.join(dir, 'outbox', 'new'));
      expect(files).toHaveLength(1);
      const reply = readFileSync(path.join(dir, 'outbox', 'new', files[0] ?? ''), 'utf8');
      expect(reply).toContain(
        'first bad commit: [PATCH 3/5] ext4: refuse DAX when the journal block size is larger than the fs block',
      );
      // syzkaller's title form for the 6.1 "BUG: kernel NULL pointer dereference, address:" report.
      expect(reply).toMatch(/BUG: (unable to handle )?kernel NULL pointer dereference in\s+ext4_dax_bsize_ok/);
      expect(reply).toMatch(/Call Trace:\r?\n {2,}\S+\+0x[0-9a-f]+\/0x[0-9a-f]+ \(fs\/super\.c:\d+\)/);
      const runMs = [...runs, ...(await jobRuns(store.db, clean?.id ?? -1))].reduce((a, r) => a + r.durationMs, 0);
      process.stderr.write(
        `pipeline demo: ${(elapsed / 1000).toFixed(0)} s wall, ${(runMs / 1000).toFixed(0)} s in series/bisect runs\n`,
      );
      if (kcidbIoAvailable()) checkKcidbExport(path.join(dir, 'db.sqlite'));
      expect(reply).toMatch(/^patch link: https:\/\/lore\.kernel\.org\/r\/cover\.1795320939\./m);
      expect(reply).toMatch(/^ {2}compiler: gcc /m);
      expect(reply).toContain('If you fix the issue in a separate patch (not just in a new version');
      await reproduce(reply);
      served.server.close();
      await store.close();
    },
    3 * 3_600_000,
  );
});

/** Runs the reply's reproducer as a reader would (see the header); throws on the first difference. */
async function reproduce(reply: string): Promise<void> {
  const [files = '', boot = '', build = ''] = reproducerScripts(reply);
  expect(files).toMatch(/^A=http:\/\/127\.0\.0\.1:\d+\/runs\/\d+\/artifacts$/m);
  const t0 = Date.now();
  const empty = path.join(dir, 'reader-boot');
  mkdirSync(empty);
  const booted = await runScript(files + boot, {
    cwd: empty,
    until: /BUG: kernel NULL pointer dereference[\s\S]*ext4_dax_bsize_ok/,
    timeoutMs: 40 * 60_000,
  });
  expect(booted.matched, booted.output.slice(-3000)).toBe(true);
  const bootS = (Date.now() - t0) / 1000;

  const tree = path.join(cacheDir, 'linux-6.1');
  const wt = path.join(dir, 'reader-tree');
  execFileSync('git', ['-C', tree, 'worktree', 'add', '-q', '--detach', wt]);
  try {
    const bin = path.join(dir, 'bin');
    mkdirSync(bin);
    const inbox = path.join(repoRoot, 'test/fixtures/demo/inbox.mbox');
    writeFileSync(path.join(bin, 'b4'), `#!/bin/sh\nexec /usr/bin/b4 "$@" -m '${inbox}'\n`);
    chmodSync(path.join(bin, 'b4'), 0o755);
    const script = build.replace(/^make O=build -j\$\(nproc\) bzImage\n/m, '');
    expect(script).not.toBe(build);
    const who = { NAME: 'reader', EMAIL: 'reader@example.org' };
    const env = {
      ...process.env,
      PATH: `${bin}:${process.env.PATH ?? ''}`,
      ...Object.fromEntries(
        ['AUTHOR', 'COMMITTER'].flatMap((k) => Object.entries(who).map(([f, v]) => [`GIT_${k}_${f}`, v])),
      ),
    };
    const made = await runScript(files + script, { cwd: wt, env, timeoutMs: 30 * 60_000 });
    expect(made.code, made.output.slice(-3000)).toBe(0);
    // The same .config as the run's, byte for byte.
    const a = /^A=(\S+)$/m.exec(files)?.[1] ?? '';
    const runConfig = await (await fetch(`${a}/config`)).text();
    expect(readFileSync(path.join(wt, 'build/.config'), 'utf8')).toBe(runConfig);
  } finally {
    execFileSync('git', ['-C', tree, 'worktree', 'remove', '--force', wt]);
  }
  process.stderr.write(
    `pipeline demo reproducer: boot to the crash ${bootS.toFixed(0)} s, build block ${((Date.now() - t0) / 1000 - bootS).toFixed(0)} s\n`,
  );
}
