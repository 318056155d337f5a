import { describe, expect, it } from 'vitest';
import { newWarnings, parseBuildLog } from '../../../../runners/parse/build-log.ts';

const LOG = [
  '  CC      fs/dax.o',
  "fs/dax.c: In function 'dax_iomap_rw':",
  "fs/dax.c:123:5: error: implicit declaration of function 'foo' [-Werror=implicit-function-declaration]",
  '  123 |     foo();',
  "fs/dax.c:200:12: warning: unused variable 'x' [-Wunused-variable]",
  "\x1b[01mdrivers/nvdimm/pmem.c:44:1:\x1b[m warning: 'bar' defined but not used [-Wunused-function]",
  "include/linux/dax.h:10: warning: Function parameter or member 'y' not described",
  "ld: vmlinux.o: in function `dax_foo':",
  "ld: fs/dax.c:300: undefined reference to `missing_symbol'",
  'ERROR: modpost: "nvdimm_bus_lock" [drivers/nvdimm/nd_pmem.ko] undefined!',
  'WARNING: modpost: vmlinux: section mismatch in reference: foo (section: .text) -> bar (section: .init.text)',
  'make[2]: *** [scripts/Makefile.build:243: fs/dax.o] Error 1',
].join('\n');

describe('parseBuildLog', () => {
  it('reads compiler, linker and modpost diagnostics', () => {
    const r = parseBuildLog(LOG);
    expect(r.errors).toEqual([
      {
        file: 'fs/dax.c',
        line: 123,
        column: 5,
        severity: 'error',
        message: "implicit declaration of function 'foo' [-Werror=implicit-function-declaration]",
      },
      { file: 'fs/dax.c', line: 300, severity: 'error', message: "undefined reference to `missing_symbol'" },
      {
        file: 'drivers/nvdimm/nd_pmem.ko',
        line: 0,
        severity: 'error',
        message: '"nvdimm_bus_lock" [drivers/nvdimm/nd_pmem.ko] undefined!',
      },
    ]);
    expect(r.warnings.map((w) => [w.file, w.line])).toEqual([
      ['fs/dax.c', 200],
      ['drivers/nvdimm/pmem.c', 44],
      ['include/linux/dax.h', 10],
      ['modpost', 0],
    ]);
  });

  it('reports a failed make even without a diagnostic it knows', () => {
    const r = parseBuildLog('something odd\nmake[1]: *** [Makefile:1234: vmlinux] Error 2\n');
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]?.severity).toBe('error');
  });

  it('newWarnings ignores line moves and counts duplicates', () => {
    const base = parseBuildLog("fs/dax.c:200:12: warning: unused variable 'x' [-Wunused-variable]\n").warnings;
    const head = parseBuildLog(
      [
        "fs/dax.c:210:12: warning: unused variable 'x' [-Wunused-variable]",
        "fs/dax.c:250:12: warning: unused variable 'x' [-Wunused-variable]",
        "fs/dax.c:260:3: warning: unused variable 'z' [-Wunused-variable]",
      ].join('\n'),
    ).warnings;
    expect(newWarnings(base, head).map((w) => w.line)).toEqual([250, 260]);
  });
});
