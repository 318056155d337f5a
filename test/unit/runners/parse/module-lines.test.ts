import { describe, expect, it } from 'vitest';
import {
  moduleLinePattern,
  moduleResults,
  readModuleLine,
  type ModuleLoad,
} from '../../../../runners/parse/module-lines.ts';

describe('module lines', () => {
  it('reads the first report of each module of its own tag and says which lines were module lines', () => {
    const pattern = moduleLinePattern('NFIT');
    const modules: ModuleLoad[] = [];
    const lines = [
      '[    3.1] # DAXBOT-NFIT-MODULE libnvdimm ok',
      '# DAXBOT-NFIT-MODULE nd_btt fail  ',
      '# DAXBOT-NFIT-MODULE nd_btt fail insmod: File exists',
      '# DAXBOT-CXL-MODULE cxl_test ok',
      'DAXBOT-NFIT-BUSES nfit_test.0',
    ];
    expect(lines.map((l) => readModuleLine(pattern, l, modules))).toEqual([true, true, true, false, false]);
    expect(modules).toEqual([
      { name: 'libnvdimm', ok: true },
      { name: 'nd_btt', ok: false, message: 'insmod failed' },
    ]);
  });

  it('gives one result per expected module, an absent one included', () => {
    const modules: ModuleLoad[] = [
      { name: 'a', ok: true },
      { name: 'b', ok: false, message: "can't insert 'b.ko': No such device" },
      { name: 'c', ok: false, message: 'insmod: bad' },
    ];
    expect(moduleResults('s', modules, ['a', 'b', 'c', 'd'])).toEqual([
      { suite: 's', name: 'module-a', status: 'pass' },
      {
        suite: 's',
        name: 'module-b',
        status: 'error',
        reason: "module b: insmod: can't insert 'b.ko': No such device",
      },
      { suite: 's', name: 'module-c', status: 'error', reason: 'module c: insmod: bad' },
      {
        suite: 's',
        name: 'module-d',
        status: 'error',
        reason: 'module d: not loaded (the guest stopped before insmod reported)',
      },
    ]);
  });
});
