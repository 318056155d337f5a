/**
 * The cxl_test build with a fake make: the order of the makes, the later-kernel fragment cut by
 * the tree (a real git repository with a 6.1-like Kconfig), the modules located in load order,
 * and the empty Makefile 6.1's modpost needs, made only inside the build folder.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../../bot/log.ts';
import type { KernelBuildOptions } from '../../../../runners/build/make.ts';
import { buildCxlSim, ensureModpostMakefile } from '../../../../runners/cxl-sim/build.ts';
import { CXL_TEST_MODULES } from '../../../../runners/cxl-sim/profile.ts';
import type { BuildResult } from '../../../../runners/types.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const temp = (): string => {
  const d = mkdtempSync(path.join(tmpdir(), 'daxbot-cxl-build-'));
  dirs.push(d);
  return d;
};
const ok = (buildDir: string): BuildResult => ({
  ok: true,
  configHash: 'abc',
  buildDir,
  durationMs: 10,
  errors: [],
  warnings: [],
  bzImage: path.join(buildDir, 'arch/x86/boot/bzImage'),
});

/** A source tree like 6.1: a git repository whose Kconfig declares KEYS but none of 6.12's CXL symbols. */
function source61(): string {
  const src = temp();
  writeFileSync(path.join(src, 'Kconfig'), 'config KEYS\n\tbool\nconfig CXL_BUS\n\ttristate\n');
  execFileSync('git', ['init', '-q', src]);
  execFileSync('git', ['-C', src, 'add', '.']);
  return src;
}

const fragments = [
  { name: 'cxl-sim', path: 'a', text: 'CONFIG_CXL_BUS=m\n' },
  { name: 'cxl-sim-later', path: 'b', text: 'CONFIG_CXL_REGION_INVALIDATION_TEST=y\nCONFIG_KEYS=y\n' },
];

describe('buildCxlSim', () => {
  it('builds the kernel with the declared fragment lines, then M=tools/testing/cxl, and finds the modules', async () => {
    const buildDir = temp();
    // Every module of the list exists except the optional firmware_class (a module on 6.12 only),
    // dax_cxl (6.3 on) and kmem.
    const absent = ['firmware_class', 'dax_cxl', 'kmem'];
    for (const m of CXL_TEST_MODULES)
      if (!absent.includes(m.name)) {
        mkdirSync(path.dirname(path.join(buildDir, m.file)), { recursive: true });
        writeFileSync(path.join(buildDir, m.file), '');
      }
    const calls: KernelBuildOptions[] = [];
    const r = await buildCxlSim(
      { source: source61(), buildDir, fragments, cacheDir: '/c', log: silentLogger() },
      async (o) => {
        calls.push(o);
        return ok(buildDir);
      },
    );
    expect(calls.map((c) => [c.targets, c.makeArgs])).toEqual([
      [['bzImage', 'modules'], undefined],
      [['modules'], ['M=tools/testing/cxl']],
    ]);
    expect(calls[0]?.fragments.map((f) => f.text)).toEqual(['CONFIG_CXL_BUS=m\n', 'CONFIG_KEYS=y\n']);
    expect(r.build.ok).toBe(true);
    expect(r.modules.map((m) => m.name)).toEqual(
      CXL_TEST_MODULES.map((m) => m.name).filter((n) => !absent.includes(n)),
    );
    expect(r.modules[0]?.path).toBe(path.join(buildDir, 'drivers/nvdimm/libnvdimm.ko'));
    expect(readFileSync(path.join(buildDir, 'tools/testing/cxl/Makefile'), 'utf8')).toMatch(/6\.1 modpost/);
  });

  it('names a required module the test build did not make', async () => {
    const buildDir = temp();
    const r = await buildCxlSim(
      { source: source61(), buildDir, fragments, cacheDir: '/c', log: silentLogger() },
      async () => ok(buildDir),
    );
    expect(r.build.ok).toBe(false);
    expect(r.build.errors.map((e) => e.message)).toContain('test module cxl_test.ko was not built');
  });
});

describe('ensureModpostMakefile', () => {
  it('keeps a Makefile it made before', async () => {
    const buildDir = temp();
    await ensureModpostMakefile(buildDir);
    await ensureModpostMakefile(buildDir);
    expect(existsSync(path.join(buildDir, 'tools/testing/cxl/Makefile'))).toBe(true);
  });

  it('never writes through a link the build left behind', async () => {
    const buildDir = temp();
    const outside = temp();
    mkdirSync(path.join(buildDir, 'tools/testing/cxl'), { recursive: true });
    symlinkSync(path.join(outside, 'victim'), path.join(buildDir, 'tools/testing/cxl/Makefile'));
    await expect(ensureModpostMakefile(buildDir)).rejects.toThrow(/not a regular file/);
    expect(existsSync(path.join(outside, 'victim'))).toBe(false);

    const other = temp();
    mkdirSync(path.join(other, 'tools/testing'), { recursive: true });
    symlinkSync(outside, path.join(other, 'tools/testing/cxl'));
    await expect(ensureModpostMakefile(other)).rejects.toThrow(/leads out of the build folder/);
    expect(existsSync(path.join(outside, 'Makefile'))).toBe(false);
  });
});
