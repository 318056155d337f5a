/**
 * The cxl-sim runner for real: the Debian 6.1 tree with the cxl-sim fragments, cxl_test and its
 * mock modules built from the tree itself (with the project's fixup for 6.1.192's test code),
 * QEMU (TCG) with two NUMA nodes loading them, and the smoke suite with Debian's cxl tool. In
 * order: a clean baseline through the CLI (`daxbot runner run --runner cxl-sim --json`), then a
 * project-written patch that breaks region teardown in drivers/cxl/core/region.c (the decoder
 * reset loop skips target 0), which must be caught: the region cannot be destroyed and its
 * decoders stay in use. Both share one build folder (the patched build is incremental). Then
 * ndctl's own `cxl` meson suite (ndctl v81 from ../shared/upstream/ndctl.bundle, built in the
 * cached Debian root filesystem) on the same cxl_test topology, after the smoke suite in the same
 * boot: every test of the suite gets a result read from the guest. Uses DAXBOT_CACHE_DIR or
 * <repo>/var/cache so CI reuses the tree, ccache, the root filesystem and the ndctl build.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../bot/log.ts';
import { runnerSchema } from '../../config/schema.ts';
import { CXL_SIM_TESTS } from '../../runners/cxl-sim/profile.ts';
import { ensureNdctlCheckout, NDCTL_BUNDLE, NDCTL_TAG } from '../../runners/nfit-sim/ndctl-checkout.ts';
import { getRunner } from '../../runners/registry.ts';
import { ensureLinuxTree, type LinuxTree } from '../../runners/tree/setup.ts';
import type { RunResult, TestResult } from '../../runners/types.ts';
import { kernelCacheDir, kernelTestsAvailable, repoRoot } from '../helpers/kernel-env.ts';

const patch = path.join(repoRoot, 'test', 'fixtures', 'patches', 'cxl-region-reset-off-by-one.patch');
// The smoke suite drives Debian's cxl tool (ndctl package) and reads its JSON with jq.
const available = kernelTestsAvailable(['cxl', 'jq']);
// ndctl's suite also needs its source (the shared bundle) and the root filesystem's tools.
const bundle = path.join(repoRoot, NDCTL_BUNDLE);
const mesonAvailable = available && existsSync(bundle) && kernelTestsAvailable(['debootstrap', 'qemu-img']);

/** ndctl v81's test/meson.build: the `cxl` suite's tests (default options: keyutils on, not destructive). */
const CXL_MESON_V81 = [
  'cxl-topology.sh',
  'cxl-region-sysfs.sh',
  'cxl-labels.sh',
  'cxl-create-region.sh',
  'cxl-xor-region.sh',
  'cxl-events.sh',
  'cxl-sanitize.sh',
  'cxl-destroy-region.sh',
  'cxl-qos-class.sh',
  'cxl-poison.sh',
  'cxl-security.sh',
];
/**
 * What the 6.1 base gives whatever the root filesystem holds: 6.1 has no region auto-assembly (and
 * the 6.1 fixup sets cxl_test's decoders up uncommitted), so cxl-topology.sh finds no
 * "autodiscovered region". README.md beside runners/cxl-sim lists every test on 6.1 and 6.12.
 */
const CXL_MESON_61: Record<string, Partial<TestResult>> = {
  'cxl-topology.sh': { status: 'fail', reason: expect.stringMatching(/autodiscovered region|failed at line 2\d/) },
};

const byName = (r: RunResult, name: string): TestResult | undefined => r.tests.find((t) => t.name === name);
const explain = async (r: RunResult): Promise<string> =>
  `${r.failureClass}: ${r.summary}\n${JSON.stringify(
    r.tests.filter((t) => t.status !== 'pass'),
    null,
    1,
  )}\n${r.consoleLog && existsSync(r.consoleLog) ? (await readFile(r.consoleLog, 'utf8')).slice(-5000) : ''}`;

describe.skipIf(!available)('cxl-sim runner (real kernel, real cxl_test, real QEMU)', () => {
  let cacheDir: string;
  let tree: LinuxTree;
  const log = silentLogger();

  beforeAll(async () => {
    cacheDir = kernelCacheDir;
    tree = await ensureLinuxTree(cacheDir, log);
  }, 600_000);

  it(
    'is registered, and the CLI builds cxl_test, boots the topology and passes the smoke suite',
    async () => {
      expect(getRunner('cxl-sim')?.kind).toBe('cxl-sim');
      const workDir = await mkdtemp(path.join(os.tmpdir(), 'daxbot-cxl-'));
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [
          path.join(repoRoot, 'bin', 'daxbot.js'),
          'runner',
          'run',
          '--runner',
          'cxl-sim',
          '--tree',
          tree.path,
          '--base',
          tree.tag,
          '--suite',
          'cxl-sim',
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
      expect(r.runner).toBe('cxl-sim');
      expect(r.build?.ok, JSON.stringify(r.build?.errors)).toBe(true);
      expect(r.booted, await explain(r)).toBe(true);
      expect(r.failureClass, await explain(r)).toBe('none');
      expect(r.findings).toEqual([]);
      for (const m of [
        'libnvdimm',
        'cxl_core',
        'cxl_mock',
        'cxl_port',
        'cxl_acpi',
        'cxl_mem',
        'cxl_pmem',
        'cxl_mock_mem',
        'cxl_test',
      ])
        expect(byName(r, `module-${m}`)?.status, m).toBe('pass');
      for (const name of CXL_SIM_TESTS)
        expect(byName(r, name)?.status, `${name}: ${byName(r, name)?.reason}`).toBe('pass');
      // cxl_test's topology on 6.1: 10 memdevs (8 behind two host bridges' switches, 2 behind a
      // single-port host bridge), each with its endpoint.
      expect(byName(r, 'topology')?.reason).toMatch(/^root0: 10 memdevs, 10 endpoints, /);
      expect(r.timings.bootToTopologyMs).toBeGreaterThan(0);
      expect(r.timings.buildModulesMs).toBeGreaterThan(0);
    },
    90 * 60_000,
  );

  it(
    'catches a patch that breaks region teardown: the region cannot be destroyed, its decoders stay busy',
    async () => {
      const mod = getRunner('cxl-sim');
      if (!mod) throw new Error('cxl-sim is not registered');
      const config = runnerSchema.parse({
        name: 'cxl-sim',
        kind: 'cxl-sim',
        suites: ['cxl-sim'],
        bootTimeout: '180s',
        testTimeout: '180s',
        overallTimeout: '20m',
      });
      const workDir = await mkdtemp(path.join(os.tmpdir(), 'daxbot-cxl-'));
      const r = await mod
        .create(config, { repoRoot, cacheDir })
        .run({ tree: tree.path, base: tree.tag, mbox: patch, workDir }, { log });
      expect(r.apply?.ok).toBe(true);
      expect(r.build?.ok, JSON.stringify(r.build?.errors)).toBe(true);
      expect(r.failureClass, await explain(r)).toBe('kernel');
      // Creating and committing still work; tearing down does not.
      for (const name of ['topology', 'region-create', 'region-committed', 'region-disable'])
        expect(byName(r, name)?.status, `${name}: ${byName(r, name)?.reason}`).toBe('pass');
      // destroy-region cannot free the endpoint decoder's 1 GiB of device capacity: the decoder is
      // still committed, because the reset loop never reached target 0.
      expect(byName(r, 'region-destroy')).toMatchObject({
        status: 'fail',
        reason: expect.stringMatching(/destroyed 0 regions/),
      });
      expect(byName(r, 'decoders-free')).toMatchObject({
        status: 'fail',
        reason: expect.stringMatching(
          /decoders still in use after destroy-region: decoder\d+\.\d+:dpa_size=0x0*40000000/,
        ),
      });
      expect(r.summary, await explain(r)).toMatch(/region-destroy/);
    },
    60 * 60_000,
  );

  it.skipIf(!mesonAvailable)(
    "runs ndctl v81's cxl meson suite on the base after the smoke suite, and reads every test's result",
    async () => {
      const mod = getRunner('cxl-sim');
      if (!mod) throw new Error('cxl-sim is not registered');
      const ndctlSource = await ensureNdctlCheckout({ bundle, tag: NDCTL_TAG, cacheDir });
      const config = runnerSchema.parse({
        name: 'cxl-sim',
        kind: 'cxl-sim',
        suites: ['cxl-sim', 'cxl-meson'],
        ndctlSource,
        bootTimeout: '300s',
        testTimeout: '900s',
        overallTimeout: '60m',
      });
      const workDir = await mkdtemp(path.join(os.tmpdir(), 'daxbot-cxl-'));
      const r = await mod
        .create(config, { repoRoot, cacheDir })
        .run({ tree: tree.path, base: tree.tag, workDir }, { log });
      expect(r.booted, await explain(r)).toBe(true);
      expect(r.findings, await explain(r)).toEqual([]);
      for (const name of CXL_SIM_TESTS)
        expect(byName(r, name)?.status, `${name}: ${byName(r, name)?.reason}`).toBe('pass');
      const cxl = r.tests.filter((t) => t.suite === 'cxl');
      expect(cxl.map((t) => t.name).sort(), await explain(r)).toEqual(CXL_MESON_V81.slice().sort());
      // Each ran to a verdict of its own (none "not run", none cut off by the guest).
      for (const t of cxl) expect(['pass', 'fail', 'skip'], `${t.name}: ${t.reason}`).toContain(t.status);
      expect(
        r.tests.filter((t) => t.suite === 'cxl-meson'),
        await explain(r),
      ).toEqual([]);
      for (const [name, want] of Object.entries(CXL_MESON_61))
        expect(
          cxl.find((t) => t.name === name),
          name,
        ).toMatchObject(want);
    },
    90 * 60_000,
  );
});
