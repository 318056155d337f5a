/**
 * The nfit-sim runner for real: the Debian 6.1 tree with the simulator profile, the nfit_test
 * modules built from the tree itself, QEMU (TCG) loading them and the built-in simulator suite.
 * In order: a clean baseline through the CLI (`daxbot runner run --runner nfit-sim --json`),
 * then a project-written patch that breaks device-dax teardown, which must be caught as a crash
 * naming kill_dev_dax. Both share one build folder (the patched build is incremental). Uses
 * DAXBOT_CACHE_DIR or <repo>/var/cache so CI reuses the tree and ccache.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../bot/log.ts';
import { runnerSchema } from '../../config/schema.ts';
import { getRunner } from '../../runners/registry.ts';
import { DEFAULT_LINUX_TARBALL, ensureLinuxTree, resolveCacheDir, type LinuxTree } from '../../runners/tree/setup.ts';
import type { RunResult, TestResult } from '../../runners/types.ts';
import { hasBinary as has } from '../helpers/servers/binaries.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const patch = path.join(repoRoot, 'test', 'fixtures', 'patches', 'nfit-sim-kill-dev-dax-null.patch');

const available =
  existsSync(DEFAULT_LINUX_TARBALL) &&
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

const byName = (r: RunResult, name: string): TestResult | undefined => r.tests.find((t) => t.name === name);
const explain = async (r: RunResult): Promise<string> =>
  `${r.failureClass}: ${r.summary}\n${JSON.stringify(
    r.tests.filter((t) => t.status !== 'pass'),
    null,
    1,
  )}\n${r.consoleLog && existsSync(r.consoleLog) ? (await readFile(r.consoleLog, 'utf8')).slice(-5000) : ''}`;

describe.skipIf(!available)('nfit-sim runner (real kernel, real nfit_test, real QEMU)', () => {
  let cacheDir: string;
  let tree: LinuxTree;
  const log = silentLogger();

  beforeAll(async () => {
    cacheDir = resolveCacheDir(repoRoot, process.env);
    tree = await ensureLinuxTree(cacheDir, log);
  }, 600_000);

  it(
    'is registered, and the CLI builds the test modules, finds both buses and passes the suite',
    async () => {
      expect(getRunner('nfit-sim')?.kind).toBe('nfit-sim');
      const workDir = await mkdtemp(path.join(os.tmpdir(), 'daxbot-nfit-'));
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [
          path.join(repoRoot, 'bin', 'daxbot.js'),
          'runner',
          'run',
          '--runner',
          'nfit-sim',
          '--tree',
          tree.path,
          '--base',
          tree.tag,
          '--work-dir',
          workDir,
          '--json',
        ],
        {
          cwd: repoRoot,
          env: { ...process.env, DAXBOT_CACHE_DIR: cacheDir, DAXBOT_LOG_LEVEL: 'warn' },
          maxBuffer: 64 * 1024 * 1024,
        },
      );
      const r = JSON.parse(stdout) as RunResult;
      expect(r.runner).toBe('nfit-sim');
      expect(r.build?.ok, JSON.stringify(r.build?.errors)).toBe(true);
      expect(r.booted, await explain(r)).toBe(true);
      expect(r.failureClass, await explain(r)).toBe('none');
      expect(r.findings).toEqual([]);
      // The test build's modules were loaded from the initramfs and both buses appeared.
      for (const m of [
        'nfit_test_iomap',
        'libnvdimm',
        'nd_btt',
        'nd_pmem',
        'nfit',
        'device_dax',
        'dax_pmem',
        'nfit_test',
      ]) {
        expect(byName(r, `module-${m}`)?.status, m).toBe('pass');
      }
      expect(byName(r, 'buses')?.status).toBe('pass');
      const suite = r.tests.filter(
        (t) => t.suite === 'nfit-sim' && !t.name.startsWith('module-') && t.name !== 'buses',
      );
      expect(suite.length).toBe(23);
      for (const name of [
        'labels-init',
        'fsdax-create',
        'fsdax-mount-dax',
        'devdax-destroy',
        'sector-io',
        'raw-destroy',
        'reconfigure',
        'region-disable-enable',
        'inject-error-badblocks',
      ]) {
        expect(byName(r, name)?.status, `${name}: ${byName(r, name)?.reason}`).toBe('pass');
      }
      // nfit_test.1's DIMMs show the failures nfit_test1_setup gives them: a pass whose reason names
      // the flags as information (a failure would mean the simulation itself broke).
      const broken = byName(r, 'bus1-broken-dimms');
      expect(broken?.status, broken?.reason).toBe('pass');
      expect(broken?.reason).toMatch(
        /^simulated broken DIMMs on nfit_test\.1 \(as nfit_test sets them up, not a failure\): /,
      );
      expect(broken?.reason).toMatch(/nmem\d+ save_fail restore_fail flush_fail not_armed smart_event(;|$)/);
      expect(broken?.reason).toMatch(/nmem\d+ map_fail(;|$)/);
      expect(byName(r, 'ndctl-meson')).toMatchObject({
        status: 'skip',
        reason: expect.stringMatching(/^not configured/),
      });
      expect(r.timings.buildModulesMs).toBeGreaterThan(0);
    },
    90 * 60_000,
  );

  it(
    'catches a patch that breaks device-dax teardown as a crash in kill_dev_dax',
    async () => {
      const mod = getRunner('nfit-sim');
      if (!mod) throw new Error('nfit-sim is not registered');
      const config = runnerSchema.parse({
        name: 'nfit-sim',
        kind: 'nfit-sim',
        bootTimeout: '180s',
        testTimeout: '180s',
        overallTimeout: '20m',
      });
      const workDir = await mkdtemp(path.join(os.tmpdir(), 'daxbot-nfit-'));
      const r = await mod
        .create(config, { repoRoot, cacheDir })
        .run({ tree: tree.path, base: tree.tag, mbox: patch, workDir }, { log });
      expect(r.apply?.ok).toBe(true);
      expect(r.build?.ok, JSON.stringify(r.build?.errors)).toBe(true);
      expect(r.failureClass, await explain(r)).toBe('kernel');
      expect(r.findings.length, await explain(r)).toBeGreaterThan(0);
      const f = r.findings[0];
      expect(f?.title, await explain(r)).toMatch(/kill_dev_dax/);
      expect(`${f?.rip ?? ''} ${(f?.trace ?? []).join(' ')}`).toMatch(/kill_dev_dax|unregister_dev_dax/);
      // The crash happened in the first devdax teardown; what came before it passed.
      expect(byName(r, 'fsdax-destroy')?.status).toBe('pass');
      expect(byName(r, 'devdax-destroy')?.status).not.toBe('pass');
    },
    60 * 60_000,
  );
});
