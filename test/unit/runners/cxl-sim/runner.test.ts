/**
 * The cxl-sim runner's wiring with fakes at the build step, the initramfs and QEMU, and the real
 * console and KTAP parsers: a real tiny git tree for the build slot, and as QEMU's console the
 * consoles of two real runs on the 6.1 tree (test/fixtures/cxl-sim/): the base passing the smoke
 * suite, and the region-teardown fixture patch failing it. What it builds, what it boots (two
 * NUMA nodes, no NVDIMMs) and how the console becomes tests, timings and a failure class.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp as mkdtempRaw, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../../bot/log.ts';
import { repoRoot } from '../../../../config/repo-root.ts';
import { cxlSimSchema } from '../../../../runners/cxl-sim/schema.ts';
import type { KernelBuildOptions } from '../../../../runners/build/make.ts';
import { createCxlSimRunner } from '../../../../runners/cxl-sim/runner.ts';
import { CXL_TEST_MODULES, CXL_SIM_TESTS } from '../../../../runners/cxl-sim/profile.ts';
import type { InitramfsFile } from '../../../../runners/guest/initramfs.ts';
import { defaultParsers } from '../../../../runners/core/parsers.ts';
import type { QemuRunOptions, QemuRunResult } from '../../../../runners/qemu/run.ts';
import type { BuildResult } from '../../../../runners/types.ts';

const temps: string[] = [];
async function mkdtemp(prefix: string): Promise<string> {
  const d = await mkdtempRaw(prefix);
  temps.push(d);
  return d;
}
afterAll(async () => {
  for (const d of temps) await rm(d, { recursive: true, force: true });
});

const fixture = (name: string): string =>
  readFileSync(path.resolve(import.meta.dirname, '../../../fixtures/cxl-sim', name), 'utf8');

function qemuResult(consoleText: string): QemuRunResult {
  return {
    exitCode: 0,
    console: consoleText,
    stderr: '',
    killed: null,
    lastTest: 'unload',
    lastTestFinished: true,
    initSeen: true,
    doneSeen: true,
    testDurations: {},
    bootMs: 17_944,
    durationMs: 72_000,
    command: ['qemu-system-x86_64'],
  };
}

describe('cxl-sim runner', () => {
  let tree: string;
  let cacheDir: string;
  beforeAll(async () => {
    tree = await mkdtemp(path.join(os.tmpdir(), 'daxbot-cxl-tree-'));
    const git = (...args: string[]): string =>
      execFileSync('git', args, {
        cwd: tree,
        encoding: 'utf8',
        env: {
          ...process.env,
          GIT_AUTHOR_NAME: 't',
          GIT_AUTHOR_EMAIL: 't@t',
          GIT_COMMITTER_NAME: 't',
          GIT_COMMITTER_EMAIL: 't@t',
        },
      });
    git('init', '-q', '-b', 'master');
    writeFileSync(path.join(tree, 'Kconfig'), 'config KEYS\n\tbool\n');
    git('add', '.');
    git('commit', '-qm', 'base');
    cacheDir = await mkdtemp(path.join(os.tmpdir(), 'daxbot-cxl-cache-'));
  });

  function setup(consoleText: string, extra: Partial<Parameters<typeof createCxlSimRunner>[0]> = {}) {
    const builds: KernelBuildOptions[] = [];
    const boots: QemuRunOptions[] = [];
    let files: InitramfsFile[] = [];
    const buildStep = async (o: KernelBuildOptions): Promise<BuildResult> => {
      builds.push(o);
      // What the real make leaves: a bzImage and the modules (dax_cxl is 6.3's, firmware_class a
      // module on 6.12 only: absent here).
      mkdirSync(path.join(o.buildDir, 'arch/x86/boot'), { recursive: true });
      writeFileSync(path.join(o.buildDir, 'arch/x86/boot/bzImage'), 'kernel');
      for (const m of CXL_TEST_MODULES.filter((x) => x.name !== 'dax_cxl' && x.name !== 'firmware_class')) {
        mkdirSync(path.dirname(path.join(o.buildDir, m.file)), { recursive: true });
        writeFileSync(path.join(o.buildDir, m.file), m.name);
      }
      return {
        ok: true,
        configHash: 'h',
        buildDir: o.buildDir,
        durationMs: 5,
        errors: [],
        warnings: [],
        bzImage: path.join(o.buildDir, 'arch/x86/boot/bzImage'),
        vmlinux: path.join(o.buildDir, 'vmlinux'),
      };
    };
    const runner = createCxlSimRunner({
      config: cxlSimSchema.parse({ name: 'cxl-sim', kind: 'cxl-sim', suites: ['cxl-sim'] }),
      repoRoot,
      cacheDir,
      parsers: defaultParsers,
      buildStep,
      initramfs: async (extra) => {
        files = extra;
        return '/fake/initrd';
      },
      qemu: async (o) => {
        boots.push(o);
        return qemuResult(consoleText);
      },
      ...extra,
    });
    return { runner, builds, boots, files: () => files };
  }

  it('builds the kernel and cxl_test, boots two NUMA nodes without NVDIMMs and reads a passing run', async () => {
    const s = setup(fixture('good-6.1-console.txt'));
    const workDir = await mkdtemp(path.join(os.tmpdir(), 'daxbot-cxl-work-'));
    const r = await s.runner.run({ tree, base: 'master', workDir }, { log: silentLogger() });
    expect(s.builds.map((b) => [b.targets, b.makeArgs])).toEqual([
      [['bzImage', 'modules'], undefined],
      [['modules'], ['M=tools/testing/cxl']],
    ]);
    // The later-kernel fragment is cut to what the tree declares (KEYS only here).
    expect(s.builds[0]?.fragments.map((f) => f.name)).toEqual(['cxl-sim', 'cxl-sim-later']);
    expect(s.builds[0]?.fragments[1]?.text).not.toMatch(/^CONFIG_CXL_REGION_INVALIDATION_TEST/m);
    expect(s.files().map((f) => f.dest)).toContain('/daxbot/cxl-sim/modules/cxl_test.ko');
    const spec = s.boots[0]?.spec;
    expect(spec?.nvdimms).toEqual([]);
    expect(spec?.extra).toContain('node,nodeid=1,memdev=numa1');
    expect(spec?.append).toEqual(expect.arrayContaining(['daxbot.suites=cxl-sim', 'oops=panic']));
    expect(r.failureClass, r.summary).toBe('none');
    expect(r.findings).toEqual([]);
    const suite = r.tests.filter((t) => !t.name.startsWith('module-'));
    expect(suite.map((t) => [t.name, t.status])).toEqual(CXL_SIM_TESTS.map((t) => [t, 'pass']));
    expect(r.tests.filter((t) => t.name.startsWith('module-')).every((t) => t.status === 'pass')).toBe(true);
    expect(r.timings).toMatchObject({ topologyMs: 3420, bootToTopologyMs: 14060 });
  });

  it('reads the region-teardown patch run as a kernel failure of region-destroy', async () => {
    const s = setup(fixture('broken-teardown-6.1-console.txt'));
    const workDir = await mkdtemp(path.join(os.tmpdir(), 'daxbot-cxl-work-'));
    const r = await s.runner.run({ tree, base: 'master', workDir }, { log: silentLogger() });
    expect(r.failureClass).toBe('kernel');
    const status = Object.fromEntries(r.tests.map((t) => [t.name, t.status]));
    expect(status).toMatchObject({
      'region-create': 'pass',
      'region-disable': 'pass',
      'region-destroy': 'fail',
      'decoders-free': 'fail',
      'region-recreate': 'skip',
      unload: 'pass',
    });
    expect(r.tests.find((t) => t.name === 'region-destroy')?.reason).toMatch(/destroyed 0 regions/);
    expect(r.summary).toMatch(/region-destroy/);
  });

  it("boots ndctl's cxl suite with the meson disks after the smoke suite and reads both", async () => {
    const mesonLines = [
      'DAXBOT: suite-begin ndctl-meson',
      '1/1 ndctl:cxl / cxl-topology.sh        OK              42.00s',
      'DAXBOT: suite-end ndctl-meson',
    ].join('\n');
    const seen: string[][] = [];
    const s = setup(`${fixture('good-6.1-console.txt')}\n${mesonLines}\n`, {
      config: cxlSimSchema.parse({ name: 'cxl-sim', kind: 'cxl-sim', suites: ['cxl-sim', 'cxl-meson'] }),
      prepareNdctl: async (o) => {
        seen.push(o.suites);
        return {
          run: true,
          hostResults: [],
          resultsDisk: null,
          guestFiles: [{ source: '/r/ndctl-meson.sh', dest: '/daxbot/suites/ndctl-meson.sh', mode: 0o755 }],
          append: ['daxbot.meson-suites=ndctl:cxl'],
          qemuExtra: ['-drive', 'file=/w/root.qcow2'],
          readOnly: ['/c/rootfs.ext4'],
          readWrite: ['/w/disks'],
          timings: { ndctlBuildMs: 1 },
        };
      },
    });
    const workDir = await mkdtemp(path.join(os.tmpdir(), 'daxbot-cxl-work-'));
    const r = await s.runner.run({ tree, base: 'master', workDir }, { log: silentLogger() });
    expect(seen).toEqual([['ndctl-meson']]);
    const boot = s.boots[0];
    expect(boot?.spec.append).toEqual(
      expect.arrayContaining(['daxbot.suites=cxl-sim,ndctl-meson', 'daxbot.meson-suites=ndctl:cxl']),
    );
    expect(boot?.spec.extra).toEqual(expect.arrayContaining(['node,nodeid=1,memdev=numa1', 'file=/w/root.qcow2']));
    expect(boot?.readOnly).toEqual(['/c/rootfs.ext4']);
    expect(s.files().find((f) => f.dest === '/daxbot/suites/ndctl-meson.sh')?.source).toMatch(/cxl-meson\.sh$/);
    expect(r.failureClass, r.summary).toBe('none');
    expect(r.tests.find((t) => t.suite === 'cxl')).toMatchObject({ name: 'cxl-topology.sh', status: 'pass' });
    expect(r.tests.filter((t) => t.suite === 'cxl-sim' && t.status !== 'pass')).toEqual([]);
    expect(r.timings.ndctlBuildMs).toBe(1);
  });
});
