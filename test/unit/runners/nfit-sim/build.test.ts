import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../../bot/log.ts';
import { buildNfitSim, locateModules, modpostDiagnostics } from '../../../../runners/nfit-sim/build.ts';
import type { KernelBuildOptions } from '../../../../runners/build/make.ts';
import type { BuildResult } from '../../../../runners/types.ts';

const ok = (extra: Partial<BuildResult> = {}): BuildResult => ({
  ok: true,
  configHash: 'abc',
  buildDir: '/b',
  durationMs: 10,
  errors: [],
  warnings: [],
  bzImage: '/b/bzImage',
  ...extra,
});
const options = { source: '/src', buildDir: '/nonexistent-build', fragments: [], cacheDir: '/c', log: silentLogger() };

describe('modpostDiagnostics', () => {
  it('turns modpost errors into diagnostics naming the module', () => {
    const out =
      'WARNING: modpost: suppressed 3 unresolved symbol warnings\nERROR: modpost: "gen_pool_free_owner" [tools/testing/nvdimm/libnvdimm.ko] undefined!\nmake[2]: *** Error 1\n';
    expect(modpostDiagnostics(out)).toEqual([
      {
        file: 'tools/testing/nvdimm/libnvdimm.ko',
        line: 0,
        severity: 'error',
        message: 'modpost: "gen_pool_free_owner" [tools/testing/nvdimm/libnvdimm.ko] undefined!',
      },
    ]);
  });
});

describe('locateModules', () => {
  it('keeps load order, skips absent optional modules and names missing required ones', () => {
    const present = (p: string): boolean =>
      !p.endsWith('/dax.ko') && !p.endsWith('/nd_e820.ko') && !p.endsWith('/nfit_test.ko');
    const { found, missing } = locateModules('/b', undefined, present);
    expect(found.map((m) => m.name)).toEqual([
      'nfit_test_iomap',
      'libnvdimm',
      'nd_btt',
      'nd_pmem',
      'nfit',
      'device_dax',
      'dax_pmem',
    ]);
    expect(found[0]?.path).toBe('/b/tools/testing/nvdimm/test/nfit_test_iomap.ko');
    expect(missing).toEqual(['nfit_test']);
  });
});

describe('buildNfitSim', () => {
  it('builds the kernel with modules, then the test modules with M=', async () => {
    const calls: KernelBuildOptions[] = [];
    const r = await buildNfitSim(options, async (o) => {
      calls.push(o);
      return ok();
    });
    expect(calls.map((c) => [c.targets, c.makeArgs])).toEqual([
      [['bzImage', 'modules'], undefined],
      [['modules'], ['M=tools/testing/nvdimm']],
    ]);
    // nothing was really built under /nonexistent-build: the missing modules make it a failure
    expect(r.build.ok).toBe(false);
    expect(r.build.errors[0]?.message).toBe('test module nfit_test_iomap.ko was not built');
  });

  it('stops after a failed kernel build', async () => {
    let n = 0;
    const r = await buildNfitSim(options, async () => {
      n++;
      return ok({ ok: false, errors: [{ file: 'drivers/nvdimm/pmem.c', line: 3, severity: 'error', message: 'x' }] });
    });
    expect(n).toBe(1);
    expect(r.build.ok).toBe(false);
  });

  it('reports a test-module failure as a build failure with modpost errors', async () => {
    const r = await buildNfitSim(options, async (o) => {
      if (!o.makeArgs) return ok();
      o.onOutput?.('ERROR: modpost: "__wrap_devm_memremap" [tools/testing/nvdimm/nd_pmem.ko] undefined!\n');
      return ok({
        ok: false,
        errors: [{ file: '', line: 0, severity: 'error', message: 'make exited with 2' }],
        outputExcerpt: 'tail',
      });
    });
    expect(r.build.ok).toBe(false);
    expect(r.build.errors.map((e) => e.message)).toEqual([
      'modpost: "__wrap_devm_memremap" [tools/testing/nvdimm/nd_pmem.ko] undefined!',
    ]);
    expect(r.build.outputExcerpt).toMatch(/^nfit_test modules \(make M=tools\/testing\/nvdimm\) failed/);
  });
});
