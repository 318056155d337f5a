/**
 * The cxl_test build: the kernel with the cxl-sim fragments (the later-kernel one cut to what the
 * tree declares), then `make M=tools/testing/cxl` from the same patched tree into the same build
 * folder, so a series touching drivers/cxl or tools/testing/cxl is tested with its own simulator
 * code and rebuilds stay incremental. A test-module failure is a build result: ok=false with its
 * errors (modpost's included).
 */
import { lstat, mkdir, realpath, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InfraError } from '../../bot/errors.ts';
import { buildKernel, type KernelBuildOptions } from '../build/make.ts';
import { buildWithTestModules, type BuildStep, type NfitSimBuild, type TestBuild } from '../nfit-sim/build.ts';
import { fragmentsForTree } from './kconfig-later.ts';
import { CXL_TEST_MAKE_DIR, CXL_TEST_MODULES } from './profile.ts';

/**
 * The test build; on 6.10+ trees from a mirror of tools/testing/cxl and drivers/cxl (its Kbuild's
 * $(DRIVERS)/cxl sources) in the build folder (runners/nfit-sim/module-tree.ts says why).
 */
export const CXL_TEST_BUILD: TestBuild = {
  makeDir: CXL_TEST_MAKE_DIR,
  modules: CXL_TEST_MODULES,
  label: 'cxl_test',
  mirror: { makeDir: CXL_TEST_MAKE_DIR, dirs: [CXL_TEST_MAKE_DIR, 'drivers/cxl'], mirrorDir: 'cxl-test-src' },
};

const MODPOST_MAKEFILE = '# Included by 6.1 modpost for M=tools/testing/cxl (runners/cxl-sim/build.ts).\n';

/**
 * 6.1's modpost includes the external module folder's Kbuild or, failing that, its Makefile, but
 * looks for the Kbuild relative to the build folder instead of the source tree (6.12 looks in
 * the source through VPATH). tools/testing/nvdimm has a Makefile in the source, so make finds that
 * one; tools/testing/cxl has only a Kbuild, and `make O= M=tools/testing/cxl` stops at modpost
 * with "No rule to make target 'tools/testing/cxl/Makefile'". An empty Makefile in the build
 * folder gives it something to include (modpost reads it only for KBUILD_EXTRA_SYMBOLS). The
 * build folder is the untrusted build's: the file is created only inside it, never through a link.
 */
export async function ensureModpostMakefile(buildDir: string): Promise<void> {
  const dir = path.join(buildDir, CXL_TEST_MAKE_DIR);
  await mkdir(dir, { recursive: true });
  const root = await realpath(buildDir);
  if (!(await realpath(dir)).startsWith(`${root}${path.sep}`))
    throw new InfraError(`${dir} leads out of the build folder`, { buildDir });
  const file = path.join(dir, 'Makefile');
  const st = await lstat(file).catch(() => null);
  if (st?.isFile()) return;
  if (st) throw new InfraError(`${file} is not a regular file`, { buildDir });
  await writeFile(file, MODPOST_MAKEFILE, { flag: 'wx' });
}

export async function buildCxlSim(
  options: Omit<KernelBuildOptions, 'targets' | 'makeArgs'>,
  step: BuildStep = buildKernel,
): Promise<NfitSimBuild> {
  const fragments = await fragmentsForTree(options.fragments, options.source);
  await ensureModpostMakefile(options.buildDir);
  return buildWithTestModules({ ...options, fragments }, step, CXL_TEST_BUILD);
}
