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
import type { BuildDiagnostic, BuildResult } from '../types.ts';
import { prepareModuleTree } from './module-tree.ts';
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

/** Which test modules a finished build folder holds, in load order; missing required ones too. */
export function locateModules(
  buildDir: string,
  modules: TestModule[] = NFIT_TEST_MODULES,
  exists: (p: string) => boolean = existsSync,
): { found: BuiltModule[]; missing: string[] } {
  const found: BuiltModule[] = [];
  const missing: string[] = [];
  for (const m of modules) {
    const p = path.join(buildDir, m.file);
    if (exists(p)) found.push({ name: m.name, path: p });
    else if (!m.optional) missing.push(m.name);
  }
  return { found, missing };
}

export type BuildStep = (o: KernelBuildOptions) => Promise<BuildResult>;

/** Builds kernel then test modules; `options.targets`/`makeArgs` are set here. */
export async function buildNfitSim(
  options: Omit<KernelBuildOptions, 'targets' | 'makeArgs'>,
  step: BuildStep = buildKernel,
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
  const tree = await prepareModuleTree(options.source, options.buildDir);
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
        outputExcerpt: `nfit_test modules (make M=${NFIT_TEST_MAKE_DIR}) failed:\n${tests.outputExcerpt ?? ''}`,
      },
      modules: [],
      timings,
    };
  }
  const { found, missing } = locateModules(tree.root);
  if (missing.length > 0) {
    return {
      build: {
        ...merged,
        ok: false,
        errors: missing.map((m) => ({
          file: `${NFIT_TEST_MAKE_DIR}`,
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
