/**
 * The nfit-sim runner's wiring with fakes at the edges (build step, initramfs, QEMU, parsers) and
 * a real tiny git tree for the build slot: what it builds, what it puts in the guest, what it
 * boots, and how it turns the console into tests and a failure class.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../../bot/log.ts';
import type { KernelBuildOptions } from '../../../../runners/build/make.ts';
import type { InitramfsFile } from '../../../../runners/guest/initramfs.ts';
import type { Parsers } from '../../../../runners/core/analyze.ts';
import type { QemuRunOptions } from '../../../../runners/qemu/run.ts';
import { createNfitSimRunner, guestSuites, loadsTestModules } from '../../../../runners/nfit-sim/runner.ts';
import type { prepareNdctlSuite } from '../../../../runners/nfit-sim/ndctl-suite.ts';
import { NFIT_TEST_MODULES, nfitSimProfile } from '../../../../runners/nfit-sim/profile.ts';
import { getRunner } from '../../../../runners/registry.ts';
import { nfitSimSchema } from '../../../../runners/nfit-sim/schema.ts';
import type { BuildResult, Finding, TestResult } from '../../../../runners/types.ts';
import { qemuRunResult, tempDirs } from '../../../helpers/runner-fakes.ts';

// Every temporary folder is removed after the file's tests.
const mkdtemp = tempDirs();

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const log = silentLogger();

// A KTAP reader good enough for these consoles; the real one is runners/parse/ktap.ts.
const parseKtap = (text: string, suite: string): TestResult[] =>
  text.split('\n').flatMap((l) => {
    const m = /^(not ok|ok) \d+ (\S+)(?: # (.*))?$/.exec(l.trim());
    if (!m?.[2]) return [];
    const skip = /^SKIP/.test(m[3] ?? '');
    const t: TestResult = {
      suite,
      name: m[2],
      status: skip ? 'skip' : m[1] === 'ok' ? 'pass' : 'fail',
      ...(m[3] ? { reason: m[3].replace(/^SKIP /, '') } : {}),
    };
    return [t];
  });
const oops: Finding = {
  title: 'BUG: kernel NULL pointer dereference in kill_dev_dax',
  type: 'null-deref',
  rip: 'kill_dev_dax+0x1e/0x60',
  trace: ['unregister_dev_dax+0x12/0x30'],
  report: '...',
};
const parsers = (findings: Finding[] = []): Parsers => ({ analyzeConsole: () => findings, parseKtap });

const MODS = NFIT_TEST_MODULES.filter((m) => !m.optional);
const consoleOf = (lines: string[]): string =>
  [
    'DAXBOT: init',
    'DAXBOT: suite-begin nfit-sim',
    'KTAP version 1',
    '# DAXBOT plan: buses-present devdax-destroy',
    '1..2',
    ...lines,
  ].join('\n') + '\n';

describe('nfitSimProfile', () => {
  it('has its own defaults: the nfit-sim fragment, its suite and the ndctl suite', () => {
    expect(nfitSimProfile(nfitSimSchema.parse({ name: 'n', kind: 'nfit-sim' }))).toEqual({
      fragments: ['nfit-sim'],
      suites: ['nfit-sim', 'ndctl-meson'],
    });
  });
  it('keeps configured fragments and puts nfit-sim last', () => {
    expect(nfitSimProfile({ fragments: ['nfit-sim', 'debug'], suites: ['nfit-sim'] })).toEqual({
      fragments: ['debug', 'nfit-sim'],
      suites: ['nfit-sim'],
    });
  });
  it('runs the ndctl meson suite on the host side, not in the guest', () => {
    expect(guestSuites(['nfit-sim', 'ndctl-meson'])).toEqual(['nfit-sim']);
  });
  it('reads the module lines whenever a suite that loads the modules runs', () => {
    expect(loadsTestModules(['nfit-sim'])).toBe(true);
    expect(loadsTestModules(['ndctl-meson'])).toBe(true);
    expect(loadsTestModules([])).toBe(false);
  });
});

describe('nfit-sim runner', () => {
  let tree: string;
  let cacheDir: string;
  beforeAll(async () => {
    tree = await mkdtemp('daxbot-nfit-tree-');
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
    writeFileSync(path.join(tree, 'Makefile'), 'all:\n');
    git('add', '.');
    git('commit', '-qm', 'base');
    git('tag', 'v6.1-test');
    cacheDir = await mkdtemp('daxbot-nfit-cache-');
  });

  function setup(
    consoleText: string,
    findings: Finding[] = [],
    buildOk = true,
    prepareNdctl?: typeof prepareNdctlSuite,
  ) {
    const builds: KernelBuildOptions[] = [];
    const boots: QemuRunOptions[] = [];
    let extra: InitramfsFile[] = [];
    const buildStep = async (o: KernelBuildOptions): Promise<BuildResult> => {
      builds.push(o);
      // The fake "make" leaves what the real one would: a bzImage and the test modules.
      mkdirSync(path.join(o.buildDir, 'arch/x86/boot'), { recursive: true });
      writeFileSync(path.join(o.buildDir, 'arch/x86/boot/bzImage'), 'kernel');
      for (const m of MODS) {
        mkdirSync(path.dirname(path.join(o.buildDir, m.file)), { recursive: true });
        writeFileSync(path.join(o.buildDir, m.file), m.name);
      }
      const ok = buildOk || !o.makeArgs;
      return {
        ok,
        configHash: 'h',
        buildDir: o.buildDir,
        durationMs: 5,
        errors: ok
          ? []
          : [{ file: 'tools/testing/nvdimm/test/nfit.c', line: 10, severity: 'error', message: "'foo' undeclared" }],
        warnings: [],
        bzImage: path.join(o.buildDir, 'arch/x86/boot/bzImage'),
        vmlinux: path.join(o.buildDir, 'vmlinux'),
      };
    };
    const runner = createNfitSimRunner({
      config: nfitSimSchema.parse({ name: 'nfit-sim', kind: 'nfit-sim' }),
      repoRoot,
      cacheDir,
      parsers: parsers(findings),
      buildStep,
      initramfs: async (files) => {
        extra = files;
        return '/fake/initrd';
      },
      qemu: async (o) => {
        boots.push(o);
        return qemuRunResult(consoleText, { bootMs: 7000, durationMs: 60_000 });
      },
      ...(prepareNdctl ? { prepareNdctl } : {}),
    });
    return { runner, builds, boots, extra: () => extra };
  }

  it('builds kernel then test modules, ships them in load order, boots without NVDIMMs and passes', async () => {
    const loads = MODS.map((m) => `# DAXBOT-NFIT-MODULE ${m.name} ok`);
    const s = setup(
      consoleOf([
        ...loads,
        '# DAXBOT-NFIT-BUSES nfit_test.0 nfit_test.1',
        'ok 1 buses-present',
        'ok 2 devdax-destroy',
        'DAXBOT: suite-end nfit-sim',
        'DAXBOT: done',
      ]),
    );
    const workDir = await mkdtemp('daxbot-nfit-work-');
    const r = await s.runner.run({ tree, base: 'v6.1-test', workDir }, { log });

    expect(s.builds.map((b) => [b.targets, b.makeArgs])).toEqual([
      [['bzImage', 'modules'], undefined],
      [['modules'], ['M=tools/testing/nvdimm']],
    ]);
    expect(s.builds[0]?.fragments.map((f) => f.name)).toEqual(['nfit-sim']);
    const dests = s.extra().map((f) => f.dest);
    expect(dests).toContain('/daxbot/suites/nfit-sim.sh');
    expect(dests).toContain('/daxbot/nfit-sim/modules/nfit_test.ko');
    const order = await readFile(path.join(workDir, 'guest', 'modules.order'), 'utf8');
    expect(order.split('\n')[0]).toBe('nfit_test_iomap /daxbot/nfit-sim/modules/nfit_test_iomap.ko');
    expect(order.trim().split('\n').pop()).toMatch(/^nfit_test /);
    const spec = s.boots[0]?.spec;
    expect(spec?.nvdimms).toEqual([]);
    expect(spec?.append).toEqual(['daxbot.suites=nfit-sim', 'oops=panic', 'panic=-1']);

    expect(r.failureClass, r.summary).toBe('none');
    expect(r.tests.filter((t) => t.status === 'pass').map((t) => t.name)).toEqual([
      ...MODS.map((m) => `module-${m.name}`),
      'buses',
      'buses-present',
      'devdax-destroy',
    ]);
    expect(r.tests.at(-1)).toMatchObject({ suite: 'ndctl-meson', status: 'skip', missingPrerequisite: true });
    expect(r.timings.buildModulesMs).toBe(5);
  });

  it("reports a module that fails to load as an error with insmod's reason", async () => {
    const loads = MODS.map((m) =>
      m.name === 'nd_btt'
        ? `# DAXBOT-NFIT-MODULE nd_btt fail insmod: can't insert 'nd_btt.ko': No such device or address`
        : `# DAXBOT-NFIT-MODULE ${m.name} ok`,
    );
    const s = setup(
      consoleOf([
        ...loads,
        '# DAXBOT-NFIT-BUSES nfit_test.0 nfit_test.1',
        'ok 1 buses-present',
        'ok 2 devdax-destroy',
        'DAXBOT: suite-end nfit-sim',
        'DAXBOT: done',
      ]),
    );
    const r = await s.runner.run(
      {
        tree,
        base: 'v6.1-test',
        workDir: await mkdtemp('daxbot-nfit-work-'),
        suites: ['nfit-sim'],
      },
      { log },
    );
    expect(r.failureClass).toBe('kernel');
    expect(r.summary).toBe("module nd_btt: insmod: can't insert 'nd_btt.ko': No such device or address");
    expect(r.tests.find((t) => t.name === 'module-nd_btt')?.status).toBe('error');
  });

  it('reads the module lines when only the ndctl suite runs: a module failure is the error, not the exit-77 skips', async () => {
    // What ndctl-meson.sh prints when it loaded the modules itself, then meson's skips.
    const loads = MODS.map((m) =>
      m.name === 'libnvdimm'
        ? "# DAXBOT-NFIT-MODULE libnvdimm fail insmod: can't insert 'libnvdimm.ko': Unknown symbol in module"
        : `# DAXBOT-NFIT-MODULE ${m.name} ok`,
    );
    const consoleText = [
      'DAXBOT: init',
      'DAXBOT: suite-begin ndctl-meson',
      ...loads,
      '# DAXBOT-NFIT-BUSES',
      '# DAXBOT-MESON-LIST 1 ndctl:ndctl/libndctl',
      'DAXBOT: test-start ndctl:ndctl/libndctl',
      '1/1 ndctl:ndctl / libndctl       SKIP             0.05s   exit status 77',
      'ok 1 ndctl:ndctl/libndctl',
      'DAXBOT-MESON-LOG {"name": "ndctl:ndctl/libndctl", "result": "SKIP", "returncode": 77, "tail": ["no nfit_test.0 bus"]}',
      '# DAXBOT-MESON-EXIT 0',
      'DAXBOT: suite-end ndctl-meson',
      'DAXBOT: done',
    ].join('\n');
    const prepared: string[][] = [];
    const prepare: typeof prepareNdctlSuite = async (o) => {
      prepared.push(o.suites);
      return {
        run: true,
        hostResults: [],
        resultsDisk: null,
        guestFiles: [],
        append: ['daxbot.meson-suites=ndctl:ndctl'],
        qemuExtra: [],
        readOnly: [],
        readWrite: [],
        timings: {},
      };
    };
    const s = setup(consoleText, [], true, prepare);
    const r = await s.runner.run(
      {
        tree,
        base: 'v6.1-test',
        workDir: await mkdtemp('daxbot-nfit-work-'),
        suites: ['ndctl-meson'],
      },
      { log },
    );
    expect(prepared).toEqual([['ndctl-meson']]);
    expect(s.boots[0]?.spec.append[0]).toBe('daxbot.suites=ndctl-meson');
    expect(r.failureClass).toBe('kernel');
    expect(r.summary).toBe("module libnvdimm: insmod: can't insert 'libnvdimm.ko': Unknown symbol in module");
    expect(r.tests.find((t) => t.name === 'module-libnvdimm')).toMatchObject({ suite: 'nfit-sim', status: 'error' });
    expect(r.tests.find((t) => t.name === 'buses')).toMatchObject({
      status: 'error',
      reason: 'buses nfit_test.0, nfit_test.1 did not appear',
    });
    expect(r.tests.find((t) => t.name === 'libndctl')).toMatchObject({ status: 'skip', missingPrerequisite: true });
  });

  it("puts the broken DIMMs' flags on the passing bus1-broken-dimms test as information", async () => {
    const loads = MODS.map((m) => `# DAXBOT-NFIT-MODULE ${m.name} ok`);
    const s = setup(
      [
        'DAXBOT: init',
        'DAXBOT: suite-begin nfit-sim',
        'KTAP version 1',
        '# DAXBOT plan: buses-present bus1-broken-dimms',
        '1..2',
        ...loads,
        '# DAXBOT-NFIT-BUSES nfit_test.0 nfit_test.1',
        'ok 1 buses-present',
        'ok 2 bus1-broken-dimms',
        '# DAXBOT-NFIT-DIMM nfit_test.1 nmem5 save_fail restore_fail flush_fail not_armed smart_event',
        '# DAXBOT-NFIT-DIMM nfit_test.1 nmem6 map_fail',
        'DAXBOT: suite-end nfit-sim',
        'DAXBOT: done',
      ].join('\n'),
    );
    const r = await s.runner.run(
      {
        tree,
        base: 'v6.1-test',
        workDir: await mkdtemp('daxbot-nfit-work-'),
        suites: ['nfit-sim'],
      },
      { log },
    );
    expect(r.failureClass, r.summary).toBe('none');
    expect(r.tests.find((t) => t.name === 'bus1-broken-dimms')).toEqual({
      suite: 'nfit-sim',
      name: 'bus1-broken-dimms',
      status: 'pass',
      reason:
        'simulated broken DIMMs on nfit_test.1 (as nfit_test sets them up, not a failure): nmem5 save_fail restore_fail flush_fail not_armed smart_event; nmem6 map_fail',
    });
  });

  it('turns a teardown crash into a kernel failure with the finding', async () => {
    const loads = MODS.map((m) => `# DAXBOT-NFIT-MODULE ${m.name} ok`);
    const s = setup(
      consoleOf([
        ...loads,
        '# DAXBOT-NFIT-BUSES nfit_test.0 nfit_test.1',
        'ok 1 buses-present',
        'DAXBOT: test-start devdax-destroy',
        'BUG: kernel NULL pointer dereference, address: 0000000000000030',
      ]),
      [oops],
    );
    const r = await s.runner.run(
      {
        tree,
        base: 'v6.1-test',
        workDir: await mkdtemp('daxbot-nfit-work-'),
        suites: ['nfit-sim'],
      },
      { log },
    );
    expect(r.failureClass).toBe('kernel');
    expect(r.findings[0]?.title).toBe('BUG: kernel NULL pointer dereference in kill_dev_dax');
    expect(r.tests.find((t) => t.name === 'devdax-destroy')?.status).toBe('error');
  });

  it('reports a failed test-module build as a build result, without booting', async () => {
    const s = setup('', [], false);
    const r = await s.runner.run({ tree, base: 'v6.1-test', workDir: await mkdtemp('daxbot-nfit-work-') }, { log });
    expect(r.build?.ok).toBe(false);
    expect(r.failureClass).toBe('kernel');
    expect(r.summary).toBe("build failed: tools/testing/nvdimm/test/nfit.c:10: 'foo' undeclared");
    expect(s.boots).toEqual([]);
  });

  it('is in the runner registry', () => {
    expect(getRunner('nfit-sim')?.kind).toBe('nfit-sim');
  });
});

describe('mergeSetup', () => {
  it('drops the KTAP parser\'s "test N" placeholders: the named plan covers them', async () => {
    const { mergeSetup } = await import('../../../../runners/nfit-sim/runner.ts');
    const outcome = {
      tests: [
        { suite: 'nfit-sim', name: 'devdax-destroy', status: 'error' as const, reason: 'not run: guest stopped' },
        { suite: 'nfit-sim', name: 'test 9', status: 'error' as const, reason: 'not run: guest stopped' },
      ],
      findings: [oops],
      failureClass: 'kernel' as const,
      summary: oops.title,
      booted: true,
    };
    expect(mergeSetup(outcome, []).tests.map((t) => t.name)).toEqual(['devdax-destroy']);
  });
});
