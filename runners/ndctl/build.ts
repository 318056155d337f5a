/**
 * The build step of an ndctl tree: the meson build of the checked-out (patched) tree inside the
 * cached Debian root filesystem, sandboxed (../nfit-sim/ndctl-build.ts: no network, a scrubbed
 * environment, only the read-only root filesystem and its own folder). Each tree content gets a
 * build folder of its own (<cacheDir>/ndctl/<content key>), so a series' build never writes
 * anything the base's build reads. The build's log gives the diagnostics: gcc's errors and
 * warnings with paths relative to the ndctl tree, as a kernel build's are; the log is the run's
 * build.log.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { ensureDebianRootfsImage } from '../guest/debian-rootfs.ts';
import {
  NDCTL_GUEST_BUILD,
  NDCTL_GUEST_SRC,
  ensureNdctlBuild,
  type NdctlBuildConfig,
} from '../nfit-sim/ndctl-build.ts';
import { parseBuildLog } from '../parse/build-log.ts';
import type { Exec } from '../sandbox/exec.ts';
import type { BuildResult } from '../types.ts';

/**
 * ndctl builds take turns under a lock of their own: about a minute of C on two cores, they need
 * not wait behind kernel builds (which hold theirs for up to an hour on this machine).
 */
export const NDCTL_BUILD_LOCK = '/tmp/daxbot-ndctl-build.lock';

/** Where the build runs, as gcc names files: from the build folder (../src/...) or absolutely. */
const ROOTS = [`${NDCTL_GUEST_BUILD}/../src`, '../src', NDCTL_GUEST_SRC];

/** The diagnostics of an ndctl build log (pure): paths relative to the ndctl tree. */
export function ndctlDiagnostics(log: string): Pick<BuildResult, 'errors' | 'warnings'> {
  const { errors, warnings } = parseBuildLog(log, ROOTS);
  return { errors, warnings };
}

export interface NdctlTreeBuildOptions extends NdctlBuildConfig {
  /** The checked-out tree (the run's slot). */
  source: string;
  cacheDir: string;
  workDir: string;
  jobs: number;
  log: Logger;
  signal?: AbortSignal;
  exec?: Exec;
}

/** Builds (or finds the build of) the tree; a meson or gcc failure is a result, not a throw. */
export async function buildNdctlTree(o: NdctlTreeBuildOptions): Promise<BuildResult> {
  const t = Date.now();
  const rootfs = await ensureDebianRootfsImage({
    cacheDir: o.cacheDir,
    ...(o.exec ? { exec: o.exec } : {}),
    logFile: path.join(o.workDir, 'debootstrap.log'),
  });
  const built = await ensureNdctlBuild({
    source: o.source,
    cacheDir: o.cacheDir,
    rootfs: rootfs.paths.root,
    rootfsKey: rootfs.key,
    destructive: o.destructive,
    mesonOptions: o.mesonOptions,
    jobs: o.jobs,
    lockFile: NDCTL_BUILD_LOCK,
    ...(o.exec ? { exec: o.exec } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
  });
  const log = existsSync(built.paths.log) ? await readFile(built.paths.log, 'utf8') : built.excerpt;
  // The run's build.log, as a kernel runner writes make's output: the reply's files list it.
  await mkdir(o.workDir, { recursive: true });
  await writeFile(path.join(o.workDir, 'build.log'), log);
  o.log.info({ key: built.key, ok: built.ok, cached: !built.built }, 'ndctl build');
  return {
    ok: built.ok,
    configHash: built.key,
    buildDir: path.join(built.paths.tree, 'build'),
    durationMs: Date.now() - t,
    ...ndctlDiagnostics(log),
    // Every build starts from an empty build folder: its log holds every warning.
    warningsComplete: true,
    ...(built.ok ? {} : { outputExcerpt: built.excerpt }),
  };
}
