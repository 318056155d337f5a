/**
 * The fstests-dax suite from the qemu-pmem runner's point of view: before the boot, prepare what
 * the guest needs (the cached Debian root filesystem and fstests build as virtio disks behind
 * per-run overlays, a fresh raw results disk, the guest script, the kernel command line words);
 * after it, read the results disk and the console into TestResults and fold them into the run's
 * outcome. The runner calls just these functions.
 */
import path from 'node:path';
import { mkdir, rm } from 'node:fs/promises';
import type { Logger } from 'pino';
import { DEFAULT_ROOTFS_SPEC, ensureDebianRootfsImage, type RootfsSpec } from '../guest/debian-rootfs.ts';
import { createOverlay, createResultsDisk, readResultsDisk, virtioDiskArgs } from '../guest/disks.ts';
import { FSTESTS_ROOTFS_PACKAGES } from '../guest/fstests/packages.ts';
import { suiteBuildFailure } from '../guest/rootfs-build.ts';
import type { InitramfsFile } from '../guest/initramfs.ts';
import { execCommand, type Exec } from '../sandbox/exec.ts';
import type { FailureClass, TestResult } from '../types.ts';
import { ensureFstestsBuild } from './fstests-build.ts';
import { FSTESTS_DAX_SUITE, fstestsGuestAppend, planFstests, type FstestsConfig } from './fstests-config.ts';
import { fstestsResults, resultsBytes, type FstestsRunInput } from './fstests-results.ts';

/** Virtio serials the guest script finds its disks by. */
export const FSTESTS_SERIALS = { root: 'daxbot-root', fstests: 'daxbot-fstests', results: 'daxbot-results' };
/** The raw results disk: two xunit reports and a few diffs need far less. */
export const RESULTS_DISK_MIB = 16;

/** The root filesystem with fstests' packages (the default one already has them once merged). */
export function fstestsRootfsSpec(base: RootfsSpec = DEFAULT_ROOTFS_SPEC): RootfsSpec {
  return { ...base, packages: [...new Set([...base.packages, ...FSTESTS_ROOTFS_PACKAGES])] };
}

export interface FstestsSuitePrep {
  /** Whether the guest runs the suite (it is then in the guest's suite list). */
  run: boolean;
  /** Results known on the host: a "not configured" skip, or an fstests build failure. */
  hostResults: TestResult[];
  guestFiles: InitramfsFile[];
  append: string[];
  qemuExtra: string[];
  readOnly: string[];
  readWrite: string[];
  /** The raw results disk the guest writes its tar onto. */
  resultsDisk: string | null;
  filesystems: readonly string[];
  timings: Record<string, number>;
}

const NOTHING = { guestFiles: [], append: [], qemuExtra: [], readOnly: [], readWrite: [], resultsDisk: null };

export interface FstestsPrepareOptions {
  config: FstestsConfig & { jobs: number };
  /** The suites this run asked for. */
  suites: string[];
  repoRoot: string;
  cacheDir: string;
  workDir: string;
  log: Logger;
  signal?: AbortSignal;
  exec?: Exec;
}

export async function prepareFstestsSuite(o: FstestsPrepareOptions): Promise<FstestsSuitePrep> {
  const filesystems = o.config.fstestsFilesystems;
  if (!o.suites.includes(FSTESTS_DAX_SUITE))
    return { run: false, hostResults: [], filesystems, timings: {}, ...NOTHING };
  const plan = planFstests(o.config);
  if (!plan.run) return { run: false, hostResults: plan.results, filesystems, timings: {}, ...NOTHING };
  const exec = o.exec ?? execCommand;
  const timings: Record<string, number> = {};

  let t = Date.now();
  const rootfs = await ensureDebianRootfsImage({
    cacheDir: o.cacheDir,
    spec: fstestsRootfsSpec(),
    exec,
    logFile: path.join(o.workDir, 'debootstrap.log'),
  });
  timings.fstestsRootfsMs = Date.now() - t;
  if (rootfs.made) o.log.info({ ms: rootfs.durationMs, root: rootfs.paths.root }, 'made the Debian root filesystem');

  t = Date.now();
  const built = await ensureFstestsBuild({
    source: plan.source,
    cacheDir: o.cacheDir,
    rootfs: rootfs.paths.root,
    rootfsKey: rootfs.key,
    jobs: o.config.jobs,
    exec,
    ...(o.signal ? { signal: o.signal } : {}),
  });
  timings.fstestsBuildMs = Date.now() - t;
  if (!built.ok || !built.image) {
    const failed = suiteBuildFailure(FSTESTS_DAX_SUITE, 'fstests-build', `fstests ${plan.source}`, built);
    return { run: false, hostResults: [failed], filesystems, timings, ...NOTHING };
  }

  const disks = path.join(o.workDir, 'fstests-disks');
  await rm(disks, { recursive: true, force: true });
  await mkdir(disks, { recursive: true });
  const root = path.join(disks, 'root.qcow2');
  const fstests = path.join(disks, 'fstests.qcow2');
  const results = path.join(disks, 'results.img');
  await createOverlay(exec, rootfs.image, root);
  await createOverlay(exec, built.image, fstests);
  await createResultsDisk(results, RESULTS_DISK_MIB);
  const scripts = path.join(o.repoRoot, 'runners', 'guest', 'fstests');
  return {
    run: true,
    hostResults: [],
    guestFiles: [
      { source: path.join(scripts, 'fstests-dax.sh'), dest: `/daxbot/suites/${FSTESTS_DAX_SUITE}.sh`, mode: 0o755 },
      { source: path.join(scripts, 'fstests-lib.sh'), dest: '/daxbot/fstests/fstests-lib.sh', mode: 0o644 },
      { source: path.join(scripts, 'logger.sh'), dest: '/daxbot/fstests/logger.sh', mode: 0o755 },
    ],
    append: fstestsGuestAppend(o.config),
    qemuExtra: [
      ...virtioDiskArgs(root, 'fstroot', FSTESTS_SERIALS.root),
      ...virtioDiskArgs(fstests, 'fstbuild', FSTESTS_SERIALS.fstests),
      ...virtioDiskArgs(results, 'fstresults', FSTESTS_SERIALS.results, 'raw'),
    ],
    readOnly: [rootfs.image, built.image],
    readWrite: [disks],
    resultsDisk: results,
    filesystems,
    timings,
  };
}

/** The suite's results after the guest stopped: the results disk when the guest wrote it, else the console. */
export async function fstestsRunResults(
  prep: FstestsSuitePrep,
  q: Omit<FstestsRunInput, 'files' | 'filesystems'>,
): Promise<TestResult[]> {
  if (!prep.run) return prep.hostResults;
  const bytes = resultsBytes(q.consoleLog);
  const files = prep.resultsDisk && bytes !== null ? await readResultsDisk(prep.resultsDisk, bytes) : [];
  return fstestsResults({ ...q, files, filesystems: prep.filesystems });
}

interface Outcome {
  tests: TestResult[];
  failureClass: FailureClass;
  summary: string;
}

const BAD = new Set(['fail', 'error', 'timeout']);

/**
 * Adds the suite's results to the outcome of the KTAP suites (pure). Failing fstests make a clean
 * run a kernel failure; a crash or hang already classified the run and keeps its summary.
 */
export function mergeFstestsResults<T extends Outcome>(outcome: T, results: TestResult[]): T {
  const tests = [...outcome.tests, ...results];
  if (outcome.failureClass !== 'none' || results.length === 0) return { ...outcome, tests };
  const bad = results.filter((t) => BAD.has(t.status));
  if (bad.length > 0) {
    const names = bad.map((t) => `${t.suite}.${t.name}`).slice(0, 5);
    return { ...outcome, tests, failureClass: 'kernel', summary: `${bad.length} fstests failed: ${names.join(', ')}` };
  }
  const passed = tests.filter((t) => t.status === 'pass').length;
  return { ...outcome, tests, summary: `${passed} passed, ${tests.length - passed} skipped` };
}
