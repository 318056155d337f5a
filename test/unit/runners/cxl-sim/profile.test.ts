/**
 * The cxl-sim profile: defaults over the schema's qemu-pmem ones, the fragments last, the load
 * order's invariants (what must come before what, as measured with modinfo on the 6.1 build; see
 * runners/cxl-sim/README.md), the NUMA arguments, the guest files and the dispatch of a config.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runnerSchema } from '../../../../config/schema.ts';
import { cxlGuestFiles, cxlModuleOrderText } from '../../../../runners/cxl-sim/guest-files.ts';
import { CXL_TEST_MODULES, cxlSimProfile, numaArgs } from '../../../../runners/cxl-sim/profile.ts';
import { runnerProfile } from '../../../../runners/registry.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('cxl-sim profile', () => {
  it('uses its own fragments and suites when the config keeps the schema defaults', () => {
    const config = runnerSchema.parse({ name: 'cxl', kind: 'cxl-sim' });
    expect(cxlSimProfile(config)).toEqual({
      fragments: ['cxl-sim', 'cxl-sim-later'],
      suites: ['cxl-sim', 'cxl-meson'],
    });
    expect(runnerProfile(config)).toMatchObject({
      usesQemuNvdimms: false,
      platform: expect.stringMatching(/cxl_test/),
    });
    expect(cxlSimProfile({ fragments: ['debug', 'cxl-sim'], suites: ['cxl-sim'] })).toEqual({
      fragments: ['debug', 'cxl-sim', 'cxl-sim-later'],
      suites: ['cxl-sim'],
    });
  });

  it('loads every dependency before what needs it, and cxl_test last', () => {
    const order = CXL_TEST_MODULES.map((m) => m.name);
    const before = (a: string, b: string): boolean => order.indexOf(a) < order.indexOf(b);
    // modinfo -F depends (symbols) and softdep, as the 6.1 and 6.12 builds report them.
    const needs: Record<string, string[]> = {
      cxl_core: ['firmware_class'],
      cxl_mock: ['cxl_core', 'libnvdimm'],
      cxl_port: ['cxl_mock', 'cxl_core'],
      cxl_acpi: ['cxl_core', 'cxl_mock', 'cxl_port'],
      cxl_mem: ['cxl_core', 'cxl_port'],
      cxl_pmem: ['cxl_core', 'libnvdimm', 'cxl_mock'],
      cxl_mock_mem: ['cxl_core'],
      nd_pmem: ['libnvdimm', 'nd_btt'],
      cxl_test: ['cxl_core', 'cxl_mock', 'cxl_acpi', 'cxl_pmem', 'cxl_mem', 'cxl_port'],
      dax_cxl: ['cxl_core'],
    };
    for (const [m, deps] of Object.entries(needs))
      for (const d of deps) expect(before(d, m), `${d} before ${m}`).toBe(true);
    expect(order[order.length - 1]).toBe('cxl_test');
    // The in-tree drivers are optional (dax_cxl exists from 6.3 on); the simulator is not.
    expect(CXL_TEST_MODULES.filter((m) => m.optional).map((m) => m.name)).toEqual([
      'firmware_class',
      'nd_btt',
      'nd_pmem',
      'device_dax',
      'kmem',
      'dax_cxl',
    ]);
  });

  it('gives QEMU two NUMA nodes: every CPU and half the memory on node 0', () => {
    expect(numaArgs(2048, 2)).toEqual([
      '-object',
      'memory-backend-ram,id=numa0,size=1024M',
      '-numa',
      'node,nodeid=0,cpus=0-1,memdev=numa0',
      '-object',
      'memory-backend-ram,id=numa1,size=1024M',
      '-numa',
      'node,nodeid=1,memdev=numa1',
    ]);
    expect(numaArgs(1025, 1)).toContain('node,nodeid=0,cpus=0,memdev=numa0');
    expect(numaArgs(1025, 1)).toContain('memory-backend-ram,id=numa1,size=513M');
  });

  it('ships the cxl tool, jq, the scripts, the modules and their order', async () => {
    const staging = mkdtempSync(path.join(tmpdir(), 'daxbot-cxl-files-'));
    dirs.push(staging);
    const files = await cxlGuestFiles('/repo', [{ name: 'cxl_core', path: '/b/cxl_core.ko' }], staging);
    expect(files.map((f) => f.dest)).toEqual([
      '/daxbot/suites/cxl-sim.sh',
      '/daxbot/cxl-sim/load-modules.sh',
      '/daxbot/cxl-sim/modules.order',
      '/daxbot/cxl-sim/modules/cxl_core.ko',
    ]);
    expect(readFileSync(path.join(staging, 'modules.order'), 'utf8')).toBe(cxlModuleOrderText([{ name: 'cxl_core' }]));
    expect(cxlModuleOrderText([{ name: 'a' }, { name: 'b' }])).toBe(
      'a /daxbot/cxl-sim/modules/a.ko\nb /daxbot/cxl-sim/modules/b.ko\n',
    );
  });
});
