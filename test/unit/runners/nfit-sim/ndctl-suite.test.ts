import { execFileSync } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../../bot/log.ts';
import { nfitSimSchema } from '../../../../runners/nfit-sim/schema.ts';
import {
  BASE_ROOTFS_PACKAGES,
  debootstrapArgs,
  DEFAULT_ROOTFS_SPEC,
  rootfsPackages,
  SUITE_ROOTFS_PACKAGES,
  imageSizeMiB,
  mke2fsArgs,
  rootfsKey,
  rootfsPaths,
} from '../../../../runners/guest/debian-rootfs.ts';
import { InfraError } from '../../../../bot/errors.ts';
import type { Exec, ExecResult } from '../../../../runners/sandbox/exec.ts';
import type { TestResult } from '../../../../runners/types.ts';
import {
  checkoutHash,
  ensureNdctlBuild,
  mesonSetupArgs,
  ndctlBuildKey,
  ndctlBuildScript,
  rootfsBwrapArgs,
} from '../../../../runners/nfit-sim/ndctl-build.ts';
import { mesonSuites } from '../../../../runners/nfit-sim/ndctl-meson.ts';
import { ndctlMesonResults, splitMesonName } from '../../../../runners/nfit-sim/ndctl-results.ts';
import {
  builtinModuleLists,
  collectNdctlSuite,
  mergeNdctlSuite,
  ndctlGuestAppend,
  prepareNdctlSuite,
} from '../../../../runners/nfit-sim/ndctl-suite.ts';

describe('Debian root filesystem planning', () => {
  it('keys by the package set, not its order', () => {
    const a = rootfsKey(DEFAULT_ROOTFS_SPEC);
    expect(rootfsKey({ ...DEFAULT_ROOTFS_SPEC, packages: [...DEFAULT_ROOTFS_SPEC.packages].reverse() })).toBe(a);
    expect(rootfsKey({ ...DEFAULT_ROOTFS_SPEC, packages: [...DEFAULT_ROOTFS_SPEC.packages, 'strace'] })).not.toBe(a);
    expect(rootfsKey({ ...DEFAULT_ROOTFS_SPEC, suite: 'trixie' })).not.toBe(a);
    expect(a).toMatch(/^[0-9a-f]{12}$/);
  });
  it('lives under the cache folder', () => {
    const p = rootfsPaths('/c', DEFAULT_ROOTFS_SPEC);
    expect(p.root).toBe(`/c/rootfs/debian-bookworm-${rootfsKey(DEFAULT_ROOTFS_SPEC)}/root`);
    expect(p.image.startsWith(p.base)).toBe(true);
  });
  it("runs debootstrap minbase from the Debian mirror with meson and ndctl's build deps", () => {
    const args = debootstrapArgs(DEFAULT_ROOTFS_SPEC, '/t');
    expect(args[0]).toBe('--variant=minbase');
    const include =
      args
        .find((a) => a.startsWith('--include='))
        ?.split('=')[1]
        ?.split(',') ?? [];
    for (const p of ['meson', 'ninja-build', 'python3', 'libkmod-dev', 'libtracefs-dev', 'gcc', 'pkg-config', 'kmod'])
      expect(include).toContain(p);
    expect(args.slice(-3)).toEqual(['bookworm', '/t', 'http://deb.debian.org/debian']);
  });
  it("holds the base list plus every suite's packages by default, or only the suites asked for", () => {
    expect(DEFAULT_ROOTFS_SPEC.packages).toEqual(rootfsPackages());
    for (const list of Object.values(SUITE_ROOTFS_PACKAGES))
      for (const p of list) expect(DEFAULT_ROOTFS_SPEC.packages).toContain(p);
    expect(rootfsPackages([])).toEqual([...BASE_ROOTFS_PACKAGES].sort());
    expect(rootfsPackages(['ndctl-meson', 'unknown-suite'])).toContain('jq');
  });
  it('packs with mke2fs -d into an image with headroom', () => {
    expect(imageSizeMiB(400 * 1024 * 1024)).toBe(756);
    expect(mke2fsArgs('/d', '/i', 756, 'x')).toEqual(expect.arrayContaining(['-t', 'ext4', '-d', '/d', '/i', '756M']));
  });
});

describe('ndctl build planning', () => {
  const cfg = { destructive: false, mesonOptions: ['-Ddocs=disabled'] };
  it('enables the tests, and the destructive ones only when asked', () => {
    expect(mesonSetupArgs(cfg)).toEqual([
      'setup',
      '/ndctl/build',
      '/ndctl/src',
      '-Dtest=enabled',
      '-Ddestructive=disabled',
      '-Ddocs=disabled',
    ]);
    expect(mesonSetupArgs({ ...cfg, destructive: true })).toContain('-Ddestructive=enabled');
    expect(ndctlBuildScript(cfg, 2)).toMatch(/\nninja -C '\/ndctl\/build' -j 2$/);
  });
  it('keys the build by content, root filesystem and options', () => {
    const k = ndctlBuildKey('abc', 'r1', cfg);
    expect(ndctlBuildKey('abc', 'r1', cfg)).toBe(k);
    expect(ndctlBuildKey('abd', 'r1', cfg)).not.toBe(k);
    expect(ndctlBuildKey('abc', 'r2', cfg)).not.toBe(k);
    expect(ndctlBuildKey('abc', 'r1', { ...cfg, destructive: true })).not.toBe(k);
  });
  it('sandboxes the build in the root filesystem with no network', () => {
    const a = rootfsBwrapArgs('/rootfs', '/work');
    expect(a.join(' ')).toContain('--ro-bind /rootfs /');
    expect(a.join(' ')).toContain('--bind /work /ndctl');
    expect(a).toContain('--unshare-net');
    expect(a).toContain('--clearenv');
  });
  it('hashes the checkout without .git and build folders', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'daxbot-ndctl-hash-'));
    await mkdir(path.join(dir, 'test'), { recursive: true });
    await writeFile(path.join(dir, 'meson.build'), "project('ndctl')\n");
    const h1 = await checkoutHash(dir);
    await mkdir(path.join(dir, '.git'), { recursive: true });
    await writeFile(path.join(dir, '.git', 'HEAD'), 'ref: x\n');
    await mkdir(path.join(dir, 'build', 'meson-private'), { recursive: true });
    await writeFile(path.join(dir, 'build', 'build.ninja'), 'x\n');
    expect(await checkoutHash(dir)).toBe(h1);
    await writeFile(path.join(dir, 'test', 'a.sh'), 'exit 0\n');
    expect(await checkoutHash(dir)).not.toBe(h1);
  });
});

describe('guest plan', () => {
  it('qualifies bare suite names with the ndctl project', () => {
    expect(mesonSuites(['ndctl', 'dax', 'ndctl:cxl', 'dax'])).toEqual(['ndctl:ndctl', 'ndctl:dax', 'ndctl:cxl']);
  });
  it('passes the suites and timeout multiplier on the kernel command line', () => {
    const cfg = nfitSimSchema.parse({ name: 'n', kind: 'nfit-sim', ndctlSource: '/x' });
    expect(ndctlGuestAppend(cfg)).toEqual([
      'daxbot.meson-suites=ndctl:ndctl,ndctl:dax',
      'daxbot.meson-timeout-multiplier=1',
    ]);
    expect(cfg.ndctlDestructive).toBe(false);
    // A subset: meson runs only the named tests of those suites.
    const subset = nfitSimSchema.parse({ name: 'n', kind: 'nfit-sim', ndctlTests: ['create.sh', 'libndctl'] });
    expect(ndctlGuestAppend(subset)).toContain('daxbot.meson-tests=create.sh,libndctl');
    expect(nfitSimSchema.safeParse({ name: 'n', kind: 'nfit-sim', ndctlTests: ['a b'] }).success).toBe(false);
  });
  it('rejects meson options that are not -D settings', () => {
    expect(
      nfitSimSchema.safeParse({ name: 'n', kind: 'nfit-sim', ndctlMesonOptions: ['--wipe; rm -rf /'] }).success,
    ).toBe(false);
  });
  it('is a "not configured" skip without ndctlSource and does nothing when the suite is not asked for', async () => {
    const base = { repoRoot: '/r', cacheDir: '/c', workDir: '/w', log: silentLogger() };
    const none = await prepareNdctlSuite({
      ...base,
      config: nfitSimSchema.parse({ name: 'n', kind: 'nfit-sim' }),
      suites: ['nfit-sim', 'ndctl-meson'],
    });
    expect(none.run).toBe(false);
    expect(none.hostResults[0]).toMatchObject({
      status: 'skip',
      missingPrerequisite: true,
      reason: expect.stringMatching(/^not configured/),
    });
    const off = await prepareNdctlSuite({
      ...base,
      config: nfitSimSchema.parse({ name: 'n', kind: 'nfit-sim', ndctlSource: '/x' }),
      suites: ['nfit-sim'],
    });
    expect(off).toMatchObject({ run: false, hostResults: [] });
  });
});

const repoRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..', '..', '..');

describe('the test modules in the chroot', () => {
  it("ships the kernel build's built-in module lists when the build has them", () => {
    const have = new Set(['/b/modules.builtin']);
    expect(builtinModuleLists('/b', (p) => have.has(p))).toEqual([
      { source: '/b/modules.builtin', dest: '/daxbot/nfit-sim/kernel/modules.builtin', mode: 0o644 },
    ]);
    expect(builtinModuleLists(undefined)).toEqual([]);
  });

  it("chroot-modules.sh lays the modules out under <lib>/modules/<release>/extra and runs the chroot's depmod", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'daxbot-chroot-mods-'));
    const root = path.join(dir, 'root');
    await mkdir(path.join(root, 'usr', 'lib'), { recursive: true });
    await mkdir(path.join(dir, 'mods'));
    await mkdir(path.join(dir, 'kernel'));
    await mkdir(path.join(dir, 'bin'));
    for (const m of ['nfit_test_iomap', 'libnvdimm', 'nfit_test'])
      await writeFile(path.join(dir, 'mods', `${m}.ko`), m);
    await writeFile(
      path.join(dir, 'order'),
      ['nfit_test_iomap', 'libnvdimm', 'nfit_test'].map((m) => `${m} ${path.join(dir, 'mods', `${m}.ko`)}`).join('\n') +
        '\n',
    );
    await writeFile(path.join(dir, 'kernel', 'modules.builtin'), 'kernel/fs/ext4/ext4.ko\n');
    // A stand-in for chroot(8): /lib resolves to /usr/lib as on Debian; depmod's arguments are recorded.
    const fake = path.join(dir, 'bin', 'chroot');
    await writeFile(
      fake,
      `#!/bin/sh\nroot=$1; shift\ncase "$1" in\n*readlink) echo /usr/lib ;;\n*) echo "$@" >"$root/depmod.args" ;;\nesac\n`,
    );
    chmodSync(fake, 0o755);
    const out = execFileSync(
      'sh',
      [
        path.join(repoRoot, 'runners', 'guest', 'nfit-sim', 'chroot-modules.sh'),
        root,
        path.join(dir, 'order'),
        path.join(dir, 'kernel'),
      ],
      {
        encoding: 'utf8',
        env: { PATH: `${path.join(dir, 'bin')}:${process.env.PATH ?? '/usr/bin:/bin'}` },
      },
    );
    const rel = execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim();
    const mods = path.join(root, 'usr', 'lib', 'modules', rel);
    expect((await readdir(path.join(mods, 'extra'))).sort()).toEqual([
      'libnvdimm.ko',
      'nfit_test.ko',
      'nfit_test_iomap.ko',
    ]);
    expect(await readFile(path.join(mods, 'modules.order'), 'utf8')).toBe(
      'extra/nfit_test_iomap.ko\nextra/libnvdimm.ko\nextra/nfit_test.ko\n',
    );
    expect(await readFile(path.join(mods, 'modules.builtin'), 'utf8')).toBe('kernel/fs/ext4/ext4.ko\n');
    expect((await readFile(path.join(root, 'depmod.args'), 'utf8')).trim()).toBe(
      `/usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin depmod ${rel}`,
    );
    expect(out.trim()).toBe(`installed 3 modules in /usr/lib/modules/${rel}/extra`);
    await rm(dir, { recursive: true, force: true });
  });
});

const section = (body: string, end = true): string =>
  [
    'DAXBOT: init',
    'DAXBOT: suite-begin ndctl-meson',
    body,
    ...(end ? ['DAXBOT: suite-end ndctl-meson', 'DAXBOT: done'] : []),
  ].join('\n');

const RUN = [
  '# DAXBOT-MESON-LIST 3 ndctl:ndctl/libndctl ndctl:ndctl/create.sh ndctl:dax/daxdev-errors.sh',
  'DAXBOT: test-start ndctl:ndctl/libndctl',
  '1/3 ndctl:ndctl / libndctl       OK               0.05s',
  'ok 1 ndctl:ndctl/libndctl',
  'DAXBOT: test-start ndctl:ndctl/create.sh',
  '2/3 ndctl:ndctl / create.sh      FAIL             0.07s   exit status 1',
  'not ok 2 ndctl:ndctl/create.sh',
  'DAXBOT: test-start ndctl:dax/daxdev-errors.sh',
  '3/3 ndctl:dax / daxdev-errors.sh SKIP             0.21s   exit status 77',
  'ok 3 ndctl:dax/daxdev-errors.sh',
  '',
  'Ok:                 1',
  'Expected Fail:      0',
  'Fail:               1',
  'Unexpected Pass:    0',
  'Skipped:            1',
  'Timeout:            0',
  'DAXBOT-MESON-LOG {"name": "ndctl:ndctl/create.sh", "result": "FAIL", "returncode": 1, "tail": ["+ ndctl list", "test/create.sh: failed at line 4"]}',
  'DAXBOT-MESON-LOG {"name": "ndctl:dax/daxdev-errors.sh", "result": "SKIP", "returncode": 77, "tail": ["kernel 6.1.0: dax_pmem_compat module not loaded"]}',
  '# DAXBOT-MESON-EXIT 1',
].join('\n');

describe('ndctlMesonResults', () => {
  const stop = { killed: null, lastTest: null, lastTestFinished: true };
  it('reads pass, fail with its failed-at line, and exit 77 with the reason', () => {
    const r = ndctlMesonResults(section(RUN), stop);
    expect(r).toEqual([
      { suite: 'ndctl', name: 'libndctl', status: 'pass', durationMs: 50 },
      {
        suite: 'ndctl',
        name: 'create.sh',
        status: 'fail',
        reason: 'exit status 1: test/create.sh: failed at line 4',
        durationMs: 70,
        excerpt: '+ ndctl list\ntest/create.sh: failed at line 4',
      },
      {
        suite: 'dax',
        name: 'daxdev-errors.sh',
        status: 'skip',
        reason: 'exit status 77: kernel 6.1.0: dax_pmem_compat module not loaded',
        missingPrerequisite: true,
        durationMs: 210,
      },
    ]);
  });
  it('names the test that hung and those never run', () => {
    const cut = RUN.split('\n').slice(0, 5).join('\n');
    const r = ndctlMesonResults(section(cut, false), {
      killed: 'test-timeout',
      lastTest: 'ndctl:ndctl/create.sh',
      lastTestFinished: false,
    });
    expect(r.map((t) => [t.name, t.status])).toEqual([
      ['libndctl', 'pass'],
      ['create.sh', 'timeout'],
      ['daxdev-errors.sh', 'error'],
    ]);
  });
  it('reports a setup error or a missing section as one error', () => {
    expect(ndctlMesonResults(section('# DAXBOT-MESON-ERROR mount /dev/vda: invalid argument'), stop)).toEqual([
      { suite: 'ndctl-meson', name: 'ndctl-meson', status: 'error', reason: 'mount /dev/vda: invalid argument' },
    ]);
    expect(ndctlMesonResults('DAXBOT: init\n', stop)[0]).toMatchObject({
      status: 'error',
      reason: expect.stringMatching(/never started/),
    });
  });
  it("keeps meson's reason when the log line is garbled by a kernel message", () => {
    const garbled = RUN.replace('"returncode": 77, "tail"', '"returncode": 77[   12.3] nd_pmem: probe, "tail"');
    const skip = ndctlMesonResults(section(garbled), stop).find((t) => t.name === 'daxdev-errors.sh');
    expect(skip).toMatchObject({
      status: 'skip',
      missingPrerequisite: true,
      reason: 'exit status 77: missing prerequisite',
    });
  });
  it('splits marker names', () => {
    expect(splitMesonName('ndctl:dax/daxdev-errors.sh')).toEqual({ suite: 'dax', name: 'daxdev-errors.sh' });
  });
});

describe('mergeNdctlSuite', () => {
  const stop = { killed: null, lastTest: null, lastTestFinished: true };
  const clean = {
    tests: [{ suite: 'nfit-sim', name: 'buses', status: 'pass' as const }],
    failureClass: 'none' as const,
    summary: '1 passed, 0 skipped',
    booted: true,
  };
  it('makes failing ndctl tests a kernel failure of a clean run', () => {
    const r = mergeNdctlSuite({ run: true, hostResults: [] }, section(RUN), stop, clean);
    expect(r.failureClass).toBe('kernel');
    expect(r.summary).toBe('1 ndctl test(s) failed: ndctl.create.sh');
    expect(r.tests).toHaveLength(4);
    expect(r.booted).toBe(true);
  });
  it('keeps an earlier classification and appends host results', () => {
    const crashed = { ...clean, failureClass: 'kernel' as const, summary: 'BUG: x' };
    const r = mergeNdctlSuite(
      {
        run: false,
        hostResults: [{ suite: 'ndctl-meson', name: 'ndctl-meson', status: 'skip', missingPrerequisite: true }],
      },
      '',
      stop,
      crashed,
    );
    expect(r).toMatchObject({ failureClass: 'kernel', summary: 'BUG: x' });
    expect(r.tests.at(-1)?.name).toBe('ndctl-meson');
  });
});

/** Pads a file to 1 MiB with zeros, as the sparse results disk is. */
async function truncateDisk(file: string): Promise<void> {
  await truncate(file, 1024 * 1024);
}

describe('collectNdctlSuite', () => {
  const stop = { killed: null, lastTest: null, lastTestFinished: true };
  const clean = { tests: [] as TestResult[], failureClass: 'none' as const, summary: '', booted: true };
  it("reads every test's result from the testlog the guest left on the results disk", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'daxbot-results-disk-'));
    const disk = path.join(dir, 'results.raw');
    const line = (name: string, result: string, returncode: number, stdout: string): string =>
      JSON.stringify({ name, result, returncode, duration: 1.5, stdout });
    const testlog = [
      line('ndctl:ndctl / libndctl', 'OK', 0, 'ok\n'),
      line('ndctl:ndctl / create.sh', 'FAIL', 1, '+ ndctl list\ntest/create.sh: failed at line 30\n'),
    ].join('\n');
    // The disk: testlog.json as the one member of a tar stream, then zeros (as meson-run.py leaves it).
    await writeFile(path.join(dir, 'testlog.json'), `${testlog}\n`);
    execFileSync('tar', ['--format=ustar', '-cf', disk, '-C', dir, 'testlog.json']);
    await truncateDisk(disk);
    // The console lost the failing test's lines (a kernel message cut them); the file has them.
    const consoleText = section(RUN.split('\n').slice(0, 4).join('\n'));
    const r = await collectNdctlSuite({ run: true, hostResults: [], resultsDisk: disk }, consoleText, stop, clean);
    expect(r.tests.slice(0, 2)).toEqual([
      { suite: 'ndctl', name: 'libndctl', status: 'pass', durationMs: 1500 },
      {
        suite: 'ndctl',
        name: 'create.sh',
        status: 'fail',
        durationMs: 1500,
        reason: 'exit status 1: test/create.sh: failed at line 30',
        excerpt: '+ ndctl list\ntest/create.sh: failed at line 30',
      },
    ]);
    // A planned test the testlog does not have is still named.
    expect(r.tests[2]).toMatchObject({ name: 'daxdev-errors.sh', status: 'error' });
    expect(r.failureClass).toBe('kernel');
    // An empty disk (the guest never got there): the console is read instead.
    await writeFile(disk, Buffer.alloc(4096));
    const fallback = await collectNdctlSuite(
      { run: true, hostResults: [], resultsDisk: disk },
      section(RUN),
      stop,
      clean,
    );
    expect(fallback.tests.map((t) => t.status)).toEqual(['pass', 'fail', 'skip']);
    await rm(dir, { recursive: true, force: true });
  });
});

describe('ensureNdctlBuild with a fake sandbox', () => {
  const standin = path.resolve(
    path.dirname(new URL(import.meta.url).pathname),
    '..',
    '..',
    '..',
    'fixtures',
    'ndctl-standin',
  );
  const result = (code: number, output: string): ExecResult => ({
    code,
    signal: null,
    output,
    stdout: output,
    timedOut: false,
    aborted: false,
    durationMs: 5,
  });
  const opts = (cacheDir: string, exec: Exec) => ({
    source: standin,
    cacheDir,
    rootfs: '/rootfs',
    rootfsKey: 'k',
    destructive: false,
    mesonOptions: [],
    exec,
    lockFile: path.join(cacheDir, 'lock'),
  });

  it('reports a checkout that does not build as an outcome, cached for the same content', async () => {
    const cacheDir = await mkdtemp(path.join(os.tmpdir(), 'daxbot-ndctl-build-'));
    const calls: string[][] = [];
    const exec: Exec = async (cmd, args) => {
      calls.push([cmd, ...args]);
      return result(1, 'meson.build:3:0: ERROR: Dependency "libndctl" not found\n');
    };
    const first = await ensureNdctlBuild(opts(cacheDir, exec));
    expect(first).toMatchObject({ ok: false, image: null, built: true });
    expect(first.excerpt).toMatch(/libndctl" not found/);
    expect(calls[0]?.slice(0, 3)).toEqual(['flock', path.join(cacheDir, 'lock'), 'bwrap']);
    const again = await ensureNdctlBuild(opts(cacheDir, exec));
    expect(again).toMatchObject({ ok: false, built: false, key: first.key });
    expect(calls).toHaveLength(1);
  });
  it('throws InfraError when the sandbox cannot start', async () => {
    const cacheDir = await mkdtemp(path.join(os.tmpdir(), 'daxbot-ndctl-build-'));
    const exec: Exec = async () => result(1, "bwrap: Can't mkdir /ndctl: Read-only file system\n");
    await expect(ensureNdctlBuild(opts(cacheDir, exec))).rejects.toBeInstanceOf(InfraError);
  });
});
