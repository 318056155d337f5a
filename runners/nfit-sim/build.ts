/**
 * The simulator build: the kernel with the nfit-sim profile (bzImage + in-tree modules, which
 * also produces the Module.symvers the external build links against), then the nfit_test
 * modules from the same tree with `make M=tools/testing/nvdimm`. Both go through the harness's
 * buildKernel (sandbox, ccache, build lock) into one build folder, so rebuilds are incremental.
 * A test-module failure is a build result: ok=false with its errors.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { buildKernel, type KernelBuildOptions } from '../build/make.ts';
import type { BuildOutput, BuildStep } from '../core/sequence.ts';
import type { BuildDiagnostic, BuildResult } from '../types.ts';
import { MIRROR_DIR, MIRRORED_DIRS, prepareModuleTree, type MirrorSpec } from './module-tree.ts';
import { NFIT_TEST_MAKE_DIR, NFIT_TEST_MODULES, type TestModule } from './profile.ts';

export interface BuiltModule {
  name: string;
  /** Absolute path of the .ko. */
  path: string;
}

export interface NfitSimBuild {
  build: BuildResult;
  /** The test build's modules in load order (empty when the build failed). */
  modules: BuiltModule[];
  timings: { kernelMs: number; modulesMs: number };
}

/** "ERROR: modpost: "gen_pool_free_owner" [tools/testing/nvdimm/libnvdimm.ko] undefined!" */
const MODPOST = /^(?:ERROR|WARNING): modpost: (.*)$/;

/** modpost's errors, which gcc-style parsing misses (they name no file:line). Pure. */
export function modpostDiagnostics(output: string): BuildDiagnostic[] {
  const out: BuildDiagnostic[] = [];
  for (const line of output.split('\n')) {
    const m = MODPOST.exec(line.trim());
    if (!m?.[1] || !line.trim().startsWith('ERROR')) continue;
    const ko = /\[([^\]]+\.ko)\]/.exec(m[1])?.[1] ?? '';
    out.push({ file: ko, line: 0, severity: 'error', message: `modpost: ${m[1]}` });
  }
  return out;
}

/**
 * Which test modules a finished build folder holds, in load order; missing required ones too.
 * `root` is the folder module paths are relative to, or a function choosing it per module.
 */
export function locateModules(
  root: string | ((m: TestModule) => string),
  modules: TestModule[] = NFIT_TEST_MODULES,
  exists: (p: string) => boolean = existsSync,
): { found: BuiltModule[]; missing: string[] } {
  const found: BuiltModule[] = [];
  const missing: string[] = [];
  for (const m of modules) {
    const p = path.join(typeof root === 'string' ? root : root(m), m.file);
    if (exists(p)) found.push({ name: m.name, path: p });
    else if (!m.optional) missing.push(m.name);
  }
  return { found, missing };
}

export type { BuildStep };

/** A simulator's test build: its folder in the tree and its modules in load order. */
export interface TestBuild {
  makeDir: string;
  modules: TestModule[];
  /** "nfit_test", "cxl_test": how the build's errors name it. */
  label: string;
  /** Where 6.10+ trees build it from (module-tree.ts). */
  mirror: MirrorSpec;
}

const NFIT_TEST_BUILD: TestBuild = {
  makeDir: NFIT_TEST_MAKE_DIR,
  modules: NFIT_TEST_MODULES,
  label: 'nfit_test',
  mirror: { makeDir: NFIT_TEST_MAKE_DIR, dirs: MIRRORED_DIRS, mirrorDir: MIRROR_DIR },
};

/** Builds kernel then test modules; `options.targets`/`makeArgs` are set here. */
export async function buildNfitSim(
  options: Omit<KernelBuildOptions, 'targets' | 'makeArgs'>,
  step: BuildStep = buildKernel,
): Promise<NfitSimBuild> {
  return buildWithTestModules(options, step, NFIT_TEST_BUILD);
}

/**
 * The kernel (bzImage and in-tree modules, which also makes the Module.symvers the external build
 * links against), then `make M=<makeDir> modules` in the same folder, then the test modules
 * located in load order. A failure of either make, or a required module missing, is ok=false.
 */
export async function buildWithTestModules(
  options: Omit<KernelBuildOptions, 'targets' | 'makeArgs'>,
  step: BuildStep,
  sim: TestBuild,
): Promise<NfitSimBuild> {
  const kernel = await step({ ...options, targets: ['bzImage', 'modules'] });
  if (!kernel.ok) return { build: kernel, modules: [], timings: { kernelMs: kernel.durationMs, modulesMs: 0 } };

  let captured = '';
  const onOutput = (chunk: string): void => {
    captured += chunk;
    if (captured.length > 1_000_000) captured = captured.slice(-1_000_000);
    options.onOutput?.(chunk);
  };
  // M= is the source-relative folder, or on 6.10+ trees a mirror in the build folder (module-tree.ts).
  const tree = await prepareModuleTree(options.source, options.buildDir, sim.mirror);
  const tests = await step({ ...options, onOutput, makeArgs: [`M=${tree.makeDir}`], targets: ['modules'] });
  const timings = { kernelMs: kernel.durationMs, modulesMs: tests.durationMs };
  const merged: BuildResult = {
    ...kernel,
    durationMs: kernel.durationMs + tests.durationMs,
    // Both makes share the build folder, whose warning record the second one brought up to date.
    warnings: tests.warnings,
    ...(tests.warningsComplete !== undefined && { warningsComplete: tests.warningsComplete }),
  };
  if (!tests.ok) {
    const modpost = modpostDiagnostics(captured);
    const generic = tests.errors.every((e) => e.file === '' && e.line === 0);
    const errors = generic && modpost.length > 0 ? modpost : [...tests.errors, ...modpost];
    return {
      build: {
        ...merged,
        ok: false,
        errors: errors.slice(0, 20),
        outputExcerpt: `${sim.label} modules (make M=${sim.makeDir}) failed:\n${tests.outputExcerpt ?? ''}`,
      },
      modules: [],
      timings,
    };
  }
  // The test build's own modules are in its (possibly mirrored) folder, in-tree ones in the build folder.
  const rootOf = (m: TestModule): string => (m.file.startsWith(`${sim.makeDir}/`) ? tree.root : options.buildDir);
  const { found, missing } = locateModules(rootOf, sim.modules);
  if (missing.length > 0) {
    return {
      build: {
        ...merged,
        ok: false,
        errors: missing.map((m) => ({
          file: sim.makeDir,
          line: 0,
          severity: 'error' as const,
          message: `test module ${m}.ko was not built`,
        })),
      },
      modules: [],
      timings,
    };
  }
  return { build: merged, modules: found, timings };
}

/** A simulator build (kernel, then test modules) as the core sequence records it, with both times. */
export function simulatorBuildOutput(built: NfitSimBuild): BuildOutput {
  return {
    build: built.build,
    timings: { buildKernelMs: built.timings.kernelMs, buildModulesMs: built.timings.modulesMs },
  };
}
