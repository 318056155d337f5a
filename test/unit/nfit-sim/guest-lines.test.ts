import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseGuestSetup, setupTestResults } from '../../../runners/nfit-sim/guest-lines.ts';
import { NFIT_TEST_BUSES } from '../../../runners/nfit-sim/profile.ts';
import { expectGolden } from '../../helpers/golden.ts';

const fixture = (name: string): string => readFileSync(path.resolve(import.meta.dirname, '../../fixtures/nfit-sim', name), 'utf8');
const MODULES = ['nfit_test_iomap', 'libnvdimm', 'nd_btt', 'nd_pmem', 'nfit', 'device_dax', 'dax_pmem', 'nfit_test'];

describe('parseGuestSetup', () => {
  it('reads module outcomes and buses from a console with kernel noise', () => {
    const setup = parseGuestSetup(fixture('setup-console.txt'));
    expectGolden('nfit-sim/setup-console', { setup, results: setupTestResults(setup, MODULES, NFIT_TEST_BUSES) });
  });

  it('tolerates CR line ends from the serial console', () => {
    const setup = parseGuestSetup('DAXBOT-NFIT-MODULE libnvdimm ok\r\nDAXBOT-NFIT-BUSES nfit_test.0 nfit_test.1\r\n');
    expect(setup).toEqual({ modules: [{ name: 'libnvdimm', ok: true }], buses: ['nfit_test.0', 'nfit_test.1'] });
  });
});

describe('setupTestResults', () => {
  it('reports a failed insmod as an error with insmod\'s reason', () => {
    const r = setupTestResults({ modules: [{ name: 'nd_btt', ok: false, message: 'No such device' }], buses: NFIT_TEST_BUSES }, ['nd_btt'], NFIT_TEST_BUSES);
    expect(r[0]).toEqual({ suite: 'nfit-sim', name: 'module-nd_btt', status: 'error', reason: 'module nd_btt: insmod: No such device' });
    expect(r[1]?.status).toBe('pass');
  });

  it('reports modules and buses the guest never reached', () => {
    const r = setupTestResults({ modules: [], buses: null }, ['libnvdimm'], NFIT_TEST_BUSES);
    expect(r.map((t) => t.status)).toEqual(['error', 'error']);
    expect(r[1]?.reason).toMatch(/never reported/);
  });
});
