/**
 * Both runners for real (heavy: kernel builds and QEMU boots): the clean two-patch series of
 * the demo inbox, ingested with `daxbot ingest --mbox` and tested by `daxbot run --once` on the
 * cached linux-6.1 tree with qemu-pmem (the DAX suite) and nfit-sim (the simulator suite). The
 * series is dispatched to both runners as one group, and the one reply (mail.replyOnPass) has a
 * row per runner. Shares the cached tree, build folders and ccache (DAXBOT_CACHE_DIR, as
 * scripts/test.sh sets it) with the other heavy tests; the runners serialize builds with flock.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { listJobs } from '../../bot/store/jobs.ts';
import { openStore } from '../../bot/store/store.ts';
import { DEFAULT_LINUX_TARBALL, resolveCacheDir } from '../../runners/tree/setup.ts';
import { hasBinary as has } from '../helpers/servers/binaries.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const cacheDir = resolveCacheDir(repoRoot, process.env);
const exec = promisify(execFile);

const available =
  (existsSync(path.join(cacheDir, 'linux-6.1', '.git')) || existsSync(DEFAULT_LINUX_TARBALL)) &&
  [
    'qemu-system-x86_64',
    'bwrap',
    'ccache',
    'busybox',
    'ndctl',
    'mkfs.ext4',
    'cpio',
    'gcc',
    'flock',
    'bison',
    'flex',
    'bc',
  ].every(has);

const dir = mkdtempSync(path.join(tmpdir(), 'daxbot-two-runners-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The demo inbox's clean series only (cover + 2 patches): its mails carry "1795317600". */
function cleanSeriesMbox(): string {
  const text = readFileSync(path.join(repoRoot, 'test', 'fixtures', 'demo', 'inbox.mbox'), 'utf8');
  const mails = text.split(/^(?=From \S+ )/m).filter((m) => /^Message-Id: <[^>]*1795317600/im.test(m));
  const file = path.join(dir, 'clean.mbox');
  writeFileSync(file, mails.join(''));
  return file;
}

function writeConfig(): string {
  const file = path.join(dir, 'config.yaml');
  writeFileSync(
    file,
    [
      `cacheDir: ${cacheDir}`,
      `workDir: ${path.join(dir, 'work')}`,
      'trees:',
      '  - { name: linux-6.1, branch: HEAD }',
      'runners:',
      '  - name: qemu-pmem',
      '    kind: qemu-pmem',
      '    fragments: [pmem]',
      '    suites: [dax]',
      '    memoryMiB: 2048',
      '    cpus: 2',
      '    nvdimms: [{ sizeMiB: 1024, labelSizeKiB: 128 }, { sizeMiB: 256, labelSizeKiB: 128 }]',
      '    bootTimeout: 180s',
      '    testTimeout: 300s',
      // As test/integration/nfit-sim-run.test.ts configures it. The suites are the simulator
      // profile's own: the pipeline passes a runner's configured suites (whose schema default,
      // "dax", is qemu-pmem's) to the runner, which would then run the wrong suite.
      '  - { name: nfit-sim, kind: nfit-sim, suites: [nfit-sim, ndctl-meson], bootTimeout: 180s, testTimeout: 180s, overallTimeout: 20m }',
      'mail:',
      '  from: "daxbot <daxbot@localhost>"',
      '  domain: daxbot.localhost',
      `  outbox: ${path.join(dir, 'outbox')}`,
      '  replyOnPass: true',
      // One run per side: a clean series needs no confirmation, and this keeps to four builds
      // (its patches each build: no per-patch builds, which pipeline-build-bisect tests).
      'schedule: { confirmRepeats: 0, concurrency: 1, incompleteWait: 6h, buildEachPatch: false }',
      '',
    ].join('\n'),
  );
  return file;
}

async function daxbot(config: string, args: string[]): Promise<string> {
  const { stdout } = await exec(
    process.execPath,
    [
      path.join(repoRoot, 'bin', 'daxbot.js'),
      '--config',
      config,
      '--db',
      path.join(dir, 'db.sqlite'),
      '--log-level',
      'warn',
      ...args,
    ],
    {
      cwd: repoRoot,
      env: { ...process.env, DAXBOT_CACHE_DIR: cacheDir },
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  return stdout;
}

describe.skipIf(!available)('one series on both runners through the CLI (heavy)', () => {
  it(
    'dispatches the series to qemu-pmem and nfit-sim and mails one reply with a row per runner',
    async () => {
      const config = writeConfig();
      const t0 = Date.now();
      await daxbot(config, ['ingest', '--mbox', cleanSeriesMbox()]);
      const out = await daxbot(config, ['run', '--once', '--since', 'all', '--no-ingest']);
      const elapsed = Date.now() - t0;
      expect(out).toMatch(/run --once: 2 new job\(s\), 2 processed \(#1 done, #2 done\); 1 reply sent in total/);

      const store = await openStore(path.join(dir, 'db.sqlite'));
      const jobs = await listJobs(store.db, {});
      const summaries = JSON.stringify(jobs.map((j) => [j.runner, j.summary]));
      expect(
        jobs.map((j) => [j.runner, j.state, j.outcome]),
        summaries,
      ).toEqual([
        ['qemu-pmem', 'done', 'pass'],
        ['nfit-sim', 'done', 'pass'],
      ]);
      expect(new Set(jobs.map((j) => j.groupId)).size).toBe(1);
      const replies = await store.db.selectFrom('replies').selectAll().execute();
      expect(replies.map((r) => [r.state, r.outcome, r.group_id])).toEqual([['sent', 'pass', jobs[0]?.groupId]]);
      await store.close();

      const files = readdirSync(path.join(dir, 'outbox', 'new'));
      expect(files).toHaveLength(1);
      const reply = readFileSync(path.join(dir, 'outbox', 'new', files[0] ?? ''), 'utf8').replace(/\r\n/g, '\n');
      expect(reply).toContain('Subject: Re: [PATCH 0/2] dax, pmem: two comments');
      expect(reply).toContain('X-Daxbot-Result: pass');
      expect(reply).toContain('daxbot tested this series on 2 runners and found no new failures.');
      const lines = reply.split('\n');
      const head = lines.findIndex((l) => /^ {2}runner +outcome +summary$/.test(l));
      expect(head).toBeGreaterThan(0);
      const rows = lines.slice(head + 1, lines.indexOf('', head)).filter((l) => !/^ {3}/.test(l));
      expect(rows).toHaveLength(2);
      expect(rows[0]).toMatch(/^ {2}qemu-pmem +pass +\d+ passed(, \d+ skipped)?, no new failures$/);
      expect(rows[1]).toMatch(/^ {2}nfit-sim +pass +\d+ passed(, \d+ skipped)?, no new failures$/);
      // Each runner's details follow, in the single-runner wording.
      expect(reply).toMatch(/=== qemu-pmem: pass ===\n\nWhat was tested\n[\s\S]*runner: +qemu-pmem,/);
      expect(reply).toMatch(
        /=== nfit-sim: pass ===\n\nWhat was tested\n[\s\S]*runner: +nfit-sim,[\s\S]*suites: +nfit-sim, ndctl-meson/,
      );
      const body = reply.slice(reply.indexOf('\n\n') + 2);
      for (const line of body.split('\n'))
        if (!/^ *https?:\/\/\S+$/.test(line)) expect(line.length, line).toBeLessThanOrEqual(75);
      process.stderr.write(
        `pipeline two runners: ${(elapsed / 1000).toFixed(0)} s wall (ingest + run --once)\n${lines.slice(head, head + 1 + rows.length).join('\n')}\n`,
      );
    },
    3 * 3_600_000,
  );
});
