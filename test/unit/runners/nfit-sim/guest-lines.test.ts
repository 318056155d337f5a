import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  annotateBrokenDimms,
  brokenDimmNote,
  parseGuestSetup,
  setupTestResults,
} from '../../../../runners/nfit-sim/guest-lines.ts';
import { NFIT_TEST_BUSES } from '../../../../runners/nfit-sim/profile.ts';
import { expectGolden } from '../../../helpers/golden.ts';

const fixture = (name: string): string =>
  readFileSync(path.resolve(import.meta.dirname, '../../../fixtures/nfit-sim', name), 'utf8');
const MODULES = ['nfit_test_iomap', 'libnvdimm', 'nd_btt', 'nd_pmem', 'nfit', 'device_dax', 'dax_pmem', 'nfit_test'];

describe('parseGuestSetup', () => {
  it('reads module outcomes and buses from a console with kernel noise', () => {
    const setup = parseGuestSetup(fixture('setup-console.txt'));
    expectGolden('nfit-sim/setup-console', { setup, results: setupTestResults(setup, MODULES, NFIT_TEST_BUSES) });
  });

  it('tolerates CR line ends from the serial console', () => {
    const setup = parseGuestSetup('DAXBOT-NFIT-MODULE libnvdimm ok\r\nDAXBOT-NFIT-BUSES nfit_test.0 nfit_test.1\r\n');
    expect(setup).toEqual({
      modules: [{ name: 'libnvdimm', ok: true }],
      buses: ['nfit_test.0', 'nfit_test.1'],
      dimms: [],
    });
  });

  it('keeps the first load attempt: a second one only adds "File exists" for loaded modules', () => {
    const setup = parseGuestSetup(
      [
        '# DAXBOT-NFIT-MODULE libnvdimm ok',
        "# DAXBOT-NFIT-MODULE nfit_test fail insmod: can't insert 'nfit_test.ko': Unknown symbol in module",
        '# DAXBOT-NFIT-BUSES',
        // ndctl-meson.sh loads again when the built-in suite left no buses.
        "# DAXBOT-NFIT-MODULE libnvdimm fail insmod: can't insert 'libnvdimm.ko': File exists",
        "# DAXBOT-NFIT-MODULE nfit_test fail insmod: can't insert 'nfit_test.ko': Unknown symbol in module",
        '# DAXBOT-NFIT-BUSES',
      ].join('\n'),
    );
    expect(setup.modules).toEqual([
      { name: 'libnvdimm', ok: true },
      { name: 'nfit_test', ok: false, message: "insmod: can't insert 'nfit_test.ko': Unknown symbol in module" },
    ]);
    expect(setup.buses).toEqual([]);
  });

  it('reads the broken-DIMM lines: the failure flags per DIMM, none for a healthy one', () => {
    const setup = parseGuestSetup(
      [
        '# DAXBOT-NFIT-DIMM nfit_test.1 nmem4 save_fail restore_fail flush_fail not_armed smart_event\r',
        '[   40.1] nfit_test nfit_test.1: some kernel line',
        '# DAXBOT-NFIT-DIMM nfit_test.1 nmem5 map_fail',
        '# DAXBOT-NFIT-DIMM nfit_test.0 nmem0',
      ].join('\n'),
    );
    expect(setup.dimms).toEqual([
      {
        bus: 'nfit_test.1',
        dimm: 'nmem4',
        flags: ['save_fail', 'restore_fail', 'flush_fail', 'not_armed', 'smart_event'],
      },
      { bus: 'nfit_test.1', dimm: 'nmem5', flags: ['map_fail'] },
      { bus: 'nfit_test.0', dimm: 'nmem0', flags: [] },
    ]);
  });
});

describe('broken-DIMM note', () => {
  const dimms = [
    { bus: 'nfit_test.1', dimm: 'nmem4', flags: ['save_fail', 'not_armed'] },
    { bus: 'nfit_test.1', dimm: 'nmem5', flags: ['map_fail'] },
    { bus: 'nfit_test.0', dimm: 'nmem0', flags: ['flush_fail'] },
  ];
  it('names the flagged DIMMs of the bus as information', () => {
    expect(brokenDimmNote(dimms, 'nfit_test.1')).toBe(
      'simulated broken DIMMs on nfit_test.1 (as nfit_test sets them up, not a failure): nmem4 save_fail not_armed; nmem5 map_fail',
    );
    expect(brokenDimmNote([{ bus: 'nfit_test.1', dimm: 'nmem4', flags: [] }], 'nfit_test.1')).toBeNull();
  });
  it('is the reason of the passing bus1-broken-dimms test only', () => {
    const note = brokenDimmNote(dimms, 'nfit_test.1');
    const pass = { suite: 'nfit-sim', name: 'bus1-broken-dimms', status: 'pass' as const };
    const fail = {
      suite: 'nfit-sim',
      name: 'bus1-broken-dimms',
      status: 'fail' as const,
      reason: 'exit 1: no DIMMs on nfit_test.1',
    };
    const other = { suite: 'nfit-sim', name: 'buses', status: 'pass' as const };
    expect(annotateBrokenDimms([pass, other], note)).toEqual([{ ...pass, reason: note }, other]);
    expect(annotateBrokenDimms([fail], note)).toEqual([fail]);
    expect(annotateBrokenDimms([pass], null)).toEqual([pass]);
  });
});

describe('setupTestResults', () => {
  it("reports a failed insmod as an error with insmod's reason", () => {
    const r = setupTestResults(
      { modules: [{ name: 'nd_btt', ok: false, message: 'No such device' }], buses: NFIT_TEST_BUSES },
      ['nd_btt'],
      NFIT_TEST_BUSES,
    );
    expect(r[0]).toEqual({
      suite: 'nfit-sim',
      name: 'module-nd_btt',
      status: 'error',
      reason: 'module nd_btt: insmod: No such device',
    });
    expect(r[1]?.status).toBe('pass');
  });

  it('reports modules and buses the guest never reached', () => {
    const r = setupTestResults({ modules: [], buses: null }, ['libnvdimm'], NFIT_TEST_BUSES);
    expect(r.map((t) => t.status)).toEqual(['error', 'error']);
    expect(r[1]?.reason).toMatch(/never reported/);
  });
});
