/**
 * The host's reading of the cxl-sim guest lines, on consoles from real runs on the 6.1 tree
 * (test/fixtures/cxl-sim/: a good load, and one without cxl_mock, where every module that links
 * its wrappers fails with an unknown symbol and no root appears), and the outcome built from them.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { moduleResults, parseCxlGuestSetup, topologyNote } from '../../../../runners/cxl-sim/guest-lines.ts';
import { cxlOutcome } from '../../../../runners/cxl-sim/outcome.ts';
import { CXL_TEST_MODULES } from '../../../../runners/cxl-sim/profile.ts';
import type { GuestOutcome } from '../../../../runners/qemu-pmem/analyze.ts';
import { expectGolden } from '../../../helpers/golden.ts';

const fixture = (name: string): string =>
  readFileSync(path.resolve(import.meta.dirname, '../../../fixtures/cxl-sim', name), 'utf8');
// The modules a 6.1 build gives the guest (firmware_class is built in there).
const ALL = CXL_TEST_MODULES.map((m) => m.name).filter((n) => n !== 'firmware_class');

const outcome = (over: Partial<GuestOutcome> = {}): GuestOutcome => ({
  tests: [{ suite: 'cxl-sim', name: 'topology', status: 'pass' }],
  findings: [],
  failureClass: 'none',
  summary: '11 passed',
  booted: true,
  ...over,
});

describe('parseCxlGuestSetup', () => {
  it('reads every module and the settled topology from a good run', () => {
    const setup = parseCxlGuestSetup(fixture('setup-console.txt'));
    expect(setup.modules.every((m) => m.ok)).toBe(true);
    expect(setup.modules.map((m) => m.name)).toEqual(ALL.filter((n) => n !== 'dax_cxl'));
    expect(setup.topology).toEqual({
      root: 'root0',
      counts: { memdevs: 10, bound: 10, endpoints: 10, ports: 8, decoders: 149 },
      ms: 3420,
      uptimeMs: 14060,
    });
    expect(topologyNote(setup.topology ?? { root: null, counts: {}, ms: null, uptimeMs: null })).toBe(
      'root0: 10 memdevs, 10 endpoints, 8 ports, 149 decoders, ready 3420 ms after the first insmod',
    );
  });

  it('keeps the first report of a module: a reload only adds "File exists"', () => {
    const setup = parseCxlGuestSetup(
      '# DAXBOT-CXL-MODULE cxl_test ok\r\n' +
        "# DAXBOT-CXL-MODULE cxl_test fail insmod: can't insert 'cxl_test.ko': File exists\n" +
        '# DAXBOT-CXL-TOPOLOGY root0 memdevs=1 bound=1 endpoints=1 ports=1 decoders=9 ms=5 uptime_ms=9\n' +
        '# DAXBOT-CXL-TOPOLOGY none later\n',
    );
    expect(setup.modules).toEqual([{ name: 'cxl_test', ok: true }]);
    expect(setup.topology?.root).toBe('root0');
  });
});

describe('cxl-sim outcome', () => {
  it('a good run: one passing test per module, the topology counts on the topology test, the timings', () => {
    const o = cxlOutcome(outcome(), fixture('setup-console.txt'), ALL.slice(0, -2).concat('cxl_test'));
    expect(o.failureClass).toBe('none');
    expect(o.tests.filter((t) => t.name.startsWith('module-')).every((t) => t.status === 'pass')).toBe(true);
    expect(o.tests.find((t) => t.name === 'topology')?.reason).toMatch(/^root0: 10 memdevs/);
    expect(o.timings).toEqual({ topologyMs: 3420, bootToTopologyMs: 14060 });
  });

  it('a run without cxl_mock: a kernel failure naming the first module insmod refused', () => {
    const loaded = outcome({
      tests: [{ suite: 'cxl-sim', name: 'topology', status: 'fail', reason: 'no CXL root' }],
      failureClass: 'kernel',
      summary: '1 test failed: cxl-sim.topology',
    });
    const names = ALL.filter((n) => n !== 'cxl_mock' && n !== 'dax_cxl');
    const o = cxlOutcome(loaded, fixture('missing-cxl-mock-console.txt'), names);
    expectGolden('cxl-sim/missing-cxl-mock', { summary: o.summary, failureClass: o.failureClass, tests: o.tests });
    expect(o.summary).toBe(
      "module cxl_port: insmod: can't insert '/daxbot/cxl-sim/modules/cxl_port.ko': unknown symbol in module, or unknown parameter (+3 more)",
    );
  });

  it('a crash keeps its own summary; a module that never reported is an error', () => {
    const crashed = outcome({
      findings: [
        {
          title: 'BUG: unable to handle page fault in first_zones_zonelist',
          type: 'paging-fault',
          rip: null,
          trace: [],
          report: '',
        },
      ],
      failureClass: 'kernel',
      summary: 'BUG: unable to handle page fault in first_zones_zonelist',
    });
    const o = cxlOutcome(crashed, '# DAXBOT-CXL-MODULE libnvdimm ok\n', ['libnvdimm', 'cxl_test']);
    expect(o.summary).toBe('BUG: unable to handle page fault in first_zones_zonelist');
    expect(moduleResults([], ['cxl_test'])).toEqual([
      {
        suite: 'cxl-sim',
        name: 'module-cxl_test',
        status: 'error',
        reason: 'module cxl_test: not loaded (the guest stopped before insmod reported)',
      },
    ]);
    expect(o.tests.find((t) => t.name === 'module-cxl_test')?.status).toBe('error');
  });

  it('reports no module tests when the smoke suite did not run', () => {
    expect(cxlOutcome(outcome({ tests: [] }), '', []).tests).toEqual([]);
  });
});
