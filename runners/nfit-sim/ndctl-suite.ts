/**
 * The external ndctl suite from the nfit-sim runner's point of view: before the boot, prepare
 * what the guest needs (the cached Debian root filesystem and ndctl build as two virtio disks,
 * each behind a per-run copy-on-write overlay, an empty raw results disk for meson's
 * testlog.json, the guest scripts, the kernel's built-in module lists for the chroot's depmod,
 * the kernel command line words); after it, read the results disk and the console into
 * TestResults and fold them into the run's outcome. The runner calls just these two functions.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { mkdir, rm } from 'node:fs/promises';
import type { Logger } from 'pino';
import { ensureDebianRootfsImage } from '../guest/debian-rootfs.ts';
import { createOverlay, createResultsDisk, virtioDiskArgs } from '../guest/disks.ts';
import { suiteBuildFailure } from '../guest/rootfs-build.ts';
import type { InitramfsFile } from '../guest/initramfs.ts';
import type { RunInfo } from '../core/sequence.ts';
import { execCommand, type Exec } from '../sandbox/exec.ts';
import type { FailureClass, TestResult } from '../types.ts';
import { ensureNdctlBuild } from './ndctl-build.ts';
import { mesonSuites, planNdctlMeson } from './ndctl-meson.ts';
import { ndctlMesonResults, type GuestStop } from './ndctl-results.ts';
import { readNdctlTestlog, RESULTS_DISK_MIB } from './ndctl-testlog.ts';
import { GUEST_DIR, NDCTL_MESON_SUITE } from './profile.ts';
import type { NdctlSuiteConfig } from './schema.ts';

/** Virtio serial numbers the guest script finds its disks by. */
export const ROOT_SERIAL = 'daxbot-root';
export const NDCTL_SERIAL = 'daxbot-ndctl';
export const RESULTS_SERIAL = 'daxbot-results';

export interface NdctlSuitePrep {
  /** Whether the guest runs the suite (it is then in the guest's suite list). */
  run: boolean;
  /** Results known on the host: a "not configured" skip, or an ndctl build failure. */
  hostResults: TestResult[];
  /** The raw disk the guest writes meson's testlog.json to (null: the suite does not run). */
  resultsDisk: string | null;
  guestFiles: InitramfsFile[];
  /** Kernel command line words for the guest script. */
  append: string[];
  /** QEMU arguments for the three disks. */
  qemuExtra: string[];
  readOnly: string[];
  readWrite: string[];
  timings: Record<string, number>;
}

const NOTHING: Omit<NdctlSuitePrep, 'run' | 'hostResults'> = {
  resultsDisk: null,
  guestFiles: [],
  append: [],
  qemuExtra: [],
  readOnly: [],
  readWrite: [],
  timings: {},
};

/** Kernel command line words for runners/guest/nfit-sim/ndctl-meson.sh (pure). */
export function ndctlGuestAppend(
  cfg: Pick<NdctlSuiteConfig, 'ndctlSuites' | 'ndctlTests' | 'ndctlTimeoutMultiplier'>,
): string[] {
  return [
    `daxbot.meson-suites=${mesonSuites(cfg.ndctlSuites).join(',')}`,
    ...(cfg.ndctlTests.length > 0 ? [`daxbot.meson-tests=${[...new Set(cfg.ndctlTests)].join(',')}`] : []),
    `daxbot.meson-timeout-multiplier=${cfg.ndctlTimeoutMultiplier}`,
  ];
}

/** Where chroot-modules.sh finds the kernel build's files in the guest. */
export const GUEST_KERNEL_FILES = `${GUEST_DIR}/kernel`;

/**
 * The kernel build's lists of built-in modules, for the chroot's depmod: with them modprobe and
 * modinfo in the chroot answer for a module built into this kernel instead of calling it missing.
 * A build without them (none built in) ships nothing.
 */
export function builtinModuleLists(
  buildDir: string | undefined,
  exists: (p: string) => boolean = existsSync,
): InitramfsFile[] {
  if (!buildDir) return [];
  return ['modules.builtin', 'modules.builtin.modinfo']
    .filter((f) => exists(path.join(buildDir, f)))
    .map((f) => ({ source: path.join(buildDir, f), dest: `${GUEST_KERNEL_FILES}/${f}`, mode: 0o644 }));
}

export interface PrepareOptions {
  config: NdctlSuiteConfig;
  /** The suites this run asked for. */
  suites: string[];
  repoRoot: string;
  cacheDir: string;
  workDir: string;
  /** The kernel's build folder: its modules.builtin lists go into the chroot's module folder. */
  kernelBuildDir?: string;
  log: Logger;
  signal?: AbortSignal;
  exec?: Exec;
}

/** What the suite's preparation needs of one run on the core sequence (nfit-sim's and cxl-sim's). */
export function prepareOptionsOf(
  config: NdctlSuiteConfig,
  repoRoot: string,
  cacheDir: string,
  run: Pick<RunInfo, 'suites' | 'req' | 'buildDir' | 'ctx'>,
): PrepareOptions {
  return {
    config,
    suites: run.suites,
    repoRoot,
    cacheDir,
    workDir: run.req.workDir,
    kernelBuildDir: run.buildDir,
    log: run.ctx.log,
    ...(run.ctx.signal ? { signal: run.ctx.signal } : {}),
  };
}

/**
 * The run's disks in <workDir>/ndctl-disks: overlays over the cached root filesystem and ndctl
 * build images, and a fresh results disk.
 */
async function ndctlDisks(
  exec: Exec,
  workDir: string,
  rootImage: string,
  ndctlImage: string,
): Promise<{ dir: string; results: string; qemu: string[] }> {
  const dir = path.join(workDir, 'ndctl-disks');
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const root = path.join(dir, 'root.qcow2');
  const ndctl = path.join(dir, 'ndctl.qcow2');
  const results = path.join(dir, 'results.raw');
  await createOverlay(exec, rootImage, root);
  await createOverlay(exec, ndctlImage, ndctl);
  await createResultsDisk(results, RESULTS_DISK_MIB);
  const qemu = [
    ...virtioDiskArgs(root, 'droot', ROOT_SERIAL),
    ...virtioDiskArgs(ndctl, 'dndctl', NDCTL_SERIAL),
    ...virtioDiskArgs(results, 'dresults', RESULTS_SERIAL, 'raw'),
  ];
  return { dir, results, qemu };
}

export async function prepareNdctlSuite(o: PrepareOptions): Promise<NdctlSuitePrep> {
  if (!o.suites.includes(NDCTL_MESON_SUITE)) return { run: false, hostResults: [], ...NOTHING };
  const plan = planNdctlMeson(o.config.ndctlSource);
  if (!plan.run) return { run: false, hostResults: plan.results, ...NOTHING };
  const exec = o.exec ?? execCommand;
  const timings: Record<string, number> = {};

  let t = Date.now();
  const rootfs = await ensureDebianRootfsImage({
    cacheDir: o.cacheDir,
    exec,
    logFile: path.join(o.workDir, 'debootstrap.log'),
  });
  timings.ndctlRootfsMs = Date.now() - t;
  if (rootfs.made)
    o.log.info(
      { ms: rootfs.durationMs, imageMs: rootfs.imageMs, root: rootfs.paths.root },
      'made the Debian root filesystem',
    );

  t = Date.now();
  const built = await ensureNdctlBuild({
    source: plan.source,
    cacheDir: o.cacheDir,
    rootfs: rootfs.paths.root,
    rootfsKey: rootfs.key,
    destructive: o.config.ndctlDestructive,
    mesonOptions: o.config.ndctlMesonOptions,
    jobs: o.config.jobs,
    exec,
    ...(o.signal ? { signal: o.signal } : {}),
  });
  timings.ndctlBuildMs = Date.now() - t;
  if (!built.ok || !built.image) {
    const failed = suiteBuildFailure(NDCTL_MESON_SUITE, 'ndctl-build', `ndctl checkout ${plan.source}`, built);
    return { run: false, hostResults: [failed], ...NOTHING, timings };
  }

  const disks = await ndctlDisks(exec, o.workDir, rootfs.image, built.image);
  const scripts = path.join(o.repoRoot, 'runners', 'guest', 'nfit-sim');
  return {
    run: true,
    hostResults: [],
    resultsDisk: disks.results,
    guestFiles: [
      { source: path.join(scripts, 'ndctl-meson.sh'), dest: `/daxbot/suites/${NDCTL_MESON_SUITE}.sh`, mode: 0o755 },
      { source: path.join(scripts, 'meson-run.py'), dest: `${GUEST_DIR}/meson-run.py`, mode: 0o755 },
      { source: path.join(scripts, 'chroot-modules.sh'), dest: `${GUEST_DIR}/chroot-modules.sh`, mode: 0o755 },
      ...builtinModuleLists(o.kernelBuildDir),
    ],
    append: ndctlGuestAppend(o.config),
    qemuExtra: disks.qemu,
    readOnly: [rootfs.image, built.image],
    readWrite: [disks.dir],
    timings,
  };
}

interface Outcome {
  tests: TestResult[];
  failureClass: FailureClass;
  summary: string;
}

const BAD = new Set(['fail', 'error', 'timeout']);

/**
 * Adds the suite's results to the outcome of the KTAP suites, reading the results disk the guest
 * wrote (see mergeNdctlSuite).
 */
export async function collectNdctlSuite<T extends Outcome>(
  prep: Pick<NdctlSuitePrep, 'run' | 'hostResults' | 'resultsDisk'>,
  consoleLog: string,
  stop: GuestStop,
  outcome: T,
): Promise<T> {
  const testlog = prep.run && prep.resultsDisk ? await readNdctlTestlog(prep.resultsDisk) : null;
  return mergeNdctlSuite(prep, consoleLog, stop, outcome, testlog);
}

/**
 * Adds the suite's results to the outcome of the KTAP suites (pure). Failing ndctl tests make a
 * clean run a kernel failure; a crash or hang already classified the run and keeps its summary.
 */
export function mergeNdctlSuite<T extends Outcome>(
  prep: Pick<NdctlSuitePrep, 'run' | 'hostResults'>,
  consoleLog: string,
  stop: GuestStop,
  outcome: T,
  testlog: string | null = null,
): T {
  const ndctl = prep.run ? ndctlMesonResults(consoleLog, stop, testlog) : [];
  const tests = [...outcome.tests, ...ndctl, ...prep.hostResults];
  if (outcome.failureClass !== 'none' || !prep.run) return { ...outcome, tests };
  const bad = ndctl.filter((t) => BAD.has(t.status));
  if (bad.length > 0) {
    return {
      ...outcome,
      tests,
      failureClass: 'kernel',
      summary: `${bad.length} ndctl test(s) failed: ${bad
        .map((t) => `${t.suite}.${t.name}`)
        .slice(0, 5)
        .join(', ')}`,
    };
  }
  const passed = tests.filter((t) => t.status === 'pass').length;
  const skipped = tests.filter((t) => t.status === 'skip').length;
  const other = tests.length - passed - skipped;
  return {
    ...outcome,
    tests,
    summary: `${passed} passed, ${skipped} skipped${other > 0 ? `, ${other} not passing` : ''}`,
  };
}
