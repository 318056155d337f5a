/**
 * The core run sequence (runners/core/sequence.ts) with fakes at the edges (build step, initramfs,
 * QEMU, parsers) and a real tiny git tree for the build slot: the order of a runner's steps, what
 * the core adds around them, and the qemu-pmem runner as one spec on it.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../../bot/log.ts';
import type { KernelBuildOptions } from '../../../../runners/build/make.ts';
import type { Parsers } from '../../../../runners/core/analyze.ts';
import { createKernelRunner, type KernelRunDeps, type KernelRunSteps } from '../../../../runners/core/sequence.ts';
import { createQemuPmemRunner } from '../../../../runners/qemu-pmem/runner.ts';
import { qemuPmemSchema } from '../../../../runners/qemu-pmem/schema.ts';
import type { QemuRunOptions } from '../../../../runners/qemu/run.ts';
import { runnerBaseSchema } from '../../../../runners/schema.ts';
import type { BuildResult, TestResult } from '../../../../runners/types.ts';
import { qemuRunResult, tempDirs } from '../../../helpers/runner-fakes.ts';

const mkdtemp = tempDirs();

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const log = silentLogger();

const parsers: Parsers = {
  analyzeConsole: () => [],
  parseKtap: (text, suite) =>
    text.split('\n').flatMap((l): TestResult[] => {
      const m = /^ok \d+ (\S+)$/.exec(l.trim());
      return m?.[1] ? [{ suite, name: m[1], status: 'pass' }] : [];
    }),
};

const CONSOLE = ['DAXBOT: init', 'DAXBOT: suite-begin a', '1..1', 'ok 1 one', 'DAXBOT: suite-end a', 'DAXBOT: done'];

/** Fakes for every edge; `calls` records the order in which the sequence used them. */
function edges(cacheDir: string, calls: string[], buildOk = true): KernelRunDeps & { boots: QemuRunOptions[] } {
  const boots: QemuRunOptions[] = [];
  return {
    repoRoot,
    cacheDir,
    parsers,
    extraKernelArgs: ['daxbot.hang=none'],
    boots,
    buildStep: async (o: KernelBuildOptions): Promise<BuildResult> => {
      calls.push(`make ${(o.makeArgs ?? []).join(' ')}`.trim());
      mkdirSync(path.join(o.buildDir, 'arch/x86/boot'), { recursive: true });
      writeFileSync(path.join(o.buildDir, 'arch/x86/boot/bzImage'), 'kernel');
      return {
        ok: buildOk,
        configHash: 'h',
        buildDir: o.buildDir,
        durationMs: 3,
        errors: buildOk ? [] : [{ file: 'a.c', line: 1, severity: 'error', message: 'boom' }],
        warnings: [],
        bzImage: path.join(o.buildDir, 'arch/x86/boot/bzImage'),
      };
    },
    initramfs: async (files) => {
      calls.push(`initramfs ${files.map((f) => f.dest).join(' ')}`);
      return '/fake/initrd';
    },
    qemu: async (o) => {
      calls.push('qemu');
      boots.push(o);
      return qemuRunResult(CONSOLE.join('\n'));
    },
  };
}

function toySteps(calls: string[]): KernelRunSteps {
  return {
    build: {
      note: 'make twice',
      run: async (options, step) => {
        const kernel = await step(options);
        const more = await step({ ...options, makeArgs: ['M=tools/testing/toy'] });
        return { build: { ...kernel, ok: kernel.ok && more.ok }, timings: { buildToyMs: more.durationMs } };
      },
    },
    prepare: async () => {
      calls.push('prepare');
      return { toyPrepMs: 7 };
    },
    guest: async () => {
      calls.push('guest');
      return {
        suites: ['a', 'toy-host'],
        ktapSuites: ['a'],
        files: [{ source: '/dev/null', dest: '/daxbot/toy/file', mode: 0o644 }],
        append: ['toy=1'],
        nvdimms: [],
        qemuExtra: ['-device', 'toy'],
        devices: 'toy devices',
      };
    },
    results: (outcome) => {
      calls.push('results');
      return { ...outcome, tests: [...outcome.tests, { suite: 'toy-host', name: 'host-check', status: 'pass' }] };
    },
  };
}

describe('the core run sequence', () => {
  let tree: string;
  let cacheDir: string;
  beforeAll(async () => {
    tree = await mkdtemp('daxbot-seq-tree-');
    const git = (...args: string[]): string =>
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: tree, encoding: 'utf8' });
    git('init', '-q', '-b', 'master');
    writeFileSync(path.join(tree, 'Makefile'), 'all:\n');
    git('add', '.');
    git('commit', '-qm', 'base');
    cacheDir = await mkdtemp('daxbot-seq-cache-');
  });

  const config = runnerBaseSchema.parse({ name: 'toy', kind: 'toy' });

  it("runs apply, the runner's build, preparation, guest, boot, analysis and its results, in order", async () => {
    const calls: string[] = [];
    const progress: string[] = [];
    const deps = edges(cacheDir, calls);
    const runner = createKernelRunner(
      { config, description: 'toy', fragments: ['pmem'], suites: ['a'], start: () => toySteps(calls) },
      deps,
    );
    const r = await runner.run(
      { tree, base: 'master', workDir: await mkdtemp('daxbot-seq-work-') },
      { log, progress: (step, detail) => progress.push(`${step}: ${detail ?? ''}`) },
    );
    expect(calls).toEqual([
      'make',
      'make M=tools/testing/toy',
      'prepare',
      'guest',
      'initramfs /daxbot/toy/file',
      'qemu',
      'results',
    ]);
    expect(deps.boots[0]?.spec.append).toEqual(['daxbot.suites=a,toy-host', 'toy=1', 'daxbot.hang=none']);
    expect(deps.boots[0]?.spec.extra).toEqual(['-device', 'toy']);
    expect(progress).toContain('build: make twice');
    expect(progress).toContain('boot: qemu 2048 MiB, toy devices');
    expect(r.failureClass, r.summary).toBe('none');
    expect(r.tests.map((t) => `${t.suite}.${t.name}`)).toEqual(['a.one', 'toy-host.host-check']);
    expect(r.timings).toMatchObject({ buildMs: 3, buildToyMs: 3, toyPrepMs: 7 });
    expect(r.timings.totalMs).toBeGreaterThanOrEqual(0);
  });

  it('stops at a failed build: a result, no guest and no boot', async () => {
    const calls: string[] = [];
    const runner = createKernelRunner(
      { config, description: 'toy', fragments: ['pmem'], suites: ['a'], start: () => toySteps(calls) },
      edges(cacheDir, calls, false),
    );
    const r = await runner.run({ tree, base: 'master', workDir: await mkdtemp('daxbot-seq-work-') }, { log });
    expect(r.failureClass).toBe('kernel');
    expect(r.summary).toBe('build failed: a.c:1: boom');
    expect(calls).toEqual(['make', 'make M=tools/testing/toy']);
  });

  it('stops after a good build for a build-only step (build bisection): no guest, no boot', async () => {
    const calls: string[] = [];
    const deps = edges(cacheDir, calls);
    const runner = createKernelRunner(
      { config, description: 'toy', fragments: ['pmem'], suites: ['a'], start: () => toySteps(calls) },
      deps,
    );
    const workDir = await mkdtemp('daxbot-seq-work-');
    const r = await runner.run({ tree, base: 'master', workDir, buildOnly: true }, { log });
    expect(calls).toEqual(['make', 'make M=tools/testing/toy']);
    expect(deps.boots).toEqual([]);
    expect(r.build?.ok).toBe(true);
    expect(r.booted).toBe(false);
    expect(r.failureClass).toBe('none');
  });

  it('runs qemu-pmem as one spec: its NVDIMMs and the test timeout word, the shared guest as is', async () => {
    const calls: string[] = [];
    const deps = edges(cacheDir, calls);
    const workDir = await mkdtemp('daxbot-seq-work-');
    const cfg = qemuPmemSchema.parse({ name: 'q', kind: 'qemu-pmem', suites: ['a'], testTimeout: '90s' });
    const r = await createQemuPmemRunner({ config: cfg, ...deps }).run({ tree, base: 'master', workDir }, { log });
    expect(calls).toEqual(['make', 'initramfs ', 'qemu']);
    expect(deps.boots[0]?.spec.append).toEqual(['daxbot.suites=a', 'daxbot.test_timeout=90', 'daxbot.hang=none']);
    expect(deps.boots[0]?.spec.nvdimms).toEqual([
      { sizeMiB: 1024, labelSizeKiB: 128, path: path.join(workDir, 'nvdimm0.img') },
      { sizeMiB: 256, labelSizeKiB: 128, path: path.join(workDir, 'nvdimm1.img') },
    ]);
    expect(r.failureClass, r.summary).toBe('none');
  });

  it("runs qemu-pmem's fstests-dax as its prepare, guest and results steps: disks in, results merged", async () => {
    const calls: string[] = [];
    const deps = edges(cacheDir, calls);
    const workDir = await mkdtemp('daxbot-seq-work-');
    const cfg = qemuPmemSchema.parse({ name: 'q', kind: 'qemu-pmem', suites: ['a', 'fstests-dax'] });
    const fstestsConsole = [
      ...CONSOLE.slice(0, -1),
      'DAXBOT: suite-begin fstests-dax',
      'ok 1 ext4.generic/608',
      'not ok 2 xfs.generic/608',
      'DAXBOT: suite-end fstests-dax',
      'DAXBOT: done',
    ];
    const runner = createQemuPmemRunner({
      config: cfg,
      ...deps,
      qemu: async (o) => {
        calls.push('qemu');
        deps.boots.push(o);
        return qemuRunResult(fstestsConsole.join('\n'));
      },
      prepareFstests: async (o) => {
        calls.push(`prepare ${o.suites.join(',')}`);
        return {
          run: true,
          hostResults: [],
          guestFiles: [{ source: '/dev/null', dest: '/daxbot/suites/fstests-dax.sh', mode: 0o755 }],
          append: ['daxbot.fstests-fs=ext4,xfs'],
          qemuExtra: ['-drive', 'file=root.qcow2'],
          readOnly: ['/cache/rootfs.img'],
          readWrite: [path.join(o.workDir, 'fstests-disks')],
          resultsDisk: null,
          filesystems: ['ext4', 'xfs'],
          timings: { fstestsBuildMs: 5 },
        };
      },
    });
    const r = await runner.run({ tree, base: 'master', workDir }, { log });
    expect(calls).toEqual(['make', 'prepare a,fstests-dax', 'initramfs /daxbot/suites/fstests-dax.sh', 'qemu']);
    const boot = deps.boots[0];
    expect(boot?.spec.append).toEqual([
      'daxbot.suites=a,fstests-dax',
      'daxbot.test_timeout=300',
      'daxbot.fstests-fs=ext4,xfs',
      'daxbot.hang=none',
    ]);
    expect([boot?.spec.extra, boot?.readOnly, boot?.readWrite]).toEqual([
      ['-drive', 'file=root.qcow2'],
      ['/cache/rootfs.img'],
      [path.join(workDir, 'fstests-disks')],
    ]);
    // The KTAP suite is read by the core, fstests-dax by the runner's results step (from the console here).
    expect(r.tests.map((t) => `${t.suite}.${t.name} ${t.status}`)).toEqual([
      'a.one pass',
      'fstests-dax.ext4.generic/608 pass',
      'fstests-dax.xfs.generic/608 fail',
    ]);
    expect([r.failureClass, r.summary]).toEqual(['kernel', '1 fstests failed: fstests-dax.xfs.generic/608']);
    expect(r.timings.fstestsBuildMs).toBe(5);
  });
});
