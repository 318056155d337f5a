import { describe, expect, it } from 'vitest';
import { extractSuites } from '../../../../runners/guest/protocol.ts';
import { spliceAt, unsplice, Unsplicer } from '../../../../runners/guest/splice.ts';
import { ndctlMesonResults } from '../../../../runners/nfit-sim/ndctl-results.ts';

// Seen on a real 6.1 guest (daxbot's dax suite on the nvdimm archive replay): the record came
// just before the marker's line end, which followed it as an empty line.
const REAL = [
  'ok 18 devdax_namespace\r',
  'DAXBOT: test-start devdax_mmap[    7.703739] device_dax dax0.0: daxio: dax_mmap: fail, unaligned vma\r',
  '\r',
  '# devdax ok\r',
  'ok 19 devdax_mmap\r',
].join('\n');

const REC = '[   12.345678] nfit_test nfit_test.0: failed to evaluate _FIT';

describe('kernel records spliced into guest lines', () => {
  it('gives the record its own line, after the guest line it cut (a real console)', () => {
    expect(unsplice(REAL).split('\n')).toEqual([
      'ok 18 devdax_namespace\r',
      'DAXBOT: test-start devdax_mmap\r',
      '[    7.703739] device_dax dax0.0: daxio: dax_mmap: fail, unaligned vma\r',
      '# devdax ok\r',
      'ok 19 devdax_mmap\r',
    ]);
  });

  it('joins a marker the kernel cut in the middle of a word, across several records', () => {
    const text = `DAXBOT: suite-be${REC}\r\n${REC} (2)\r\ngin ndctl-meson\r\n# DAXBOT-MESON-LIST 1 ndctl:ndctl/libndctl\r\n`;
    expect(unsplice(text).split('\n')).toEqual([
      'DAXBOT: suite-begin ndctl-meson\r',
      `${REC}\r`,
      `${REC} (2)\r`,
      '# DAXBOT-MESON-LIST 1 ndctl:ndctl/libndctl\r',
      '',
    ]);
  });

  it('leaves kernel lines and quoted kernel logs alone', () => {
    expect(spliceAt(REC)).toBe(-1);
    expect(spliceAt(`  ${REC}`)).toBe(-1);
    expect(spliceAt(`# dmesg: ${REC}`)).toBe(-1);
    expect(spliceAt(`+ journalctl -k ${REC}`)).toBe(-1);
    expect(spliceAt(`DAXBOT-MESON-LOG {"name":"ndctl:ndctl/libndctl","tail":["${REC}"]}`)).toBe(-1);
    expect(spliceAt(`  log: '${REC}'`)).toBe(-1);
    expect(spliceAt(`ok 3 a ${REC}`)).toBe(7);
    expect(spliceAt(`DAXBOT: done ${REC}`)).toBe(13);
    expect(spliceAt(`# devdax o${REC}`)).toBe(10);
    const plain = 'boot\nDAXBOT: done\r\n';
    expect(unsplice(plain)).toBe(plain);
  });

  it('passes records on at once when streaming, and the held half when the guest stops', () => {
    const out: string[] = [];
    const u = new Unsplicer((l) => out.push(l));
    u.push(`DAXBOT: do${REC}`);
    expect(out).toEqual([REC]);
    u.push('[   12.400000] Kernel panic - not syncing: Fatal exception');
    expect(out).toHaveLength(2);
    u.end();
    expect(out.at(-1)).toBe('DAXBOT: do');
  });

  it('keeps the ndctl suite whose begin marker a module-load message cut', () => {
    const console = [
      'DAXBOT: init',
      `DAXBOT: suite-begin ndctl-meson${REC}`,
      '',
      '# DAXBOT-MESON-LIST 1 ndctl:ndctl/libndctl',
      'DAXBOT: test-start ndctl:ndctl/libndctl',
      '1/1 ndctl:ndctl / libndctl        OK              5.31s',
      'DAXBOT: suite-end ndctl-meson',
      'DAXBOT: done',
    ].join('\n');
    expect(extractSuites(console).map((s) => s.suite)).toEqual(['ndctl-meson[']);
    expect(extractSuites(unsplice(console)).map((s) => s.suite)).toEqual(['ndctl-meson']);
    const stop = { killed: null, lastTest: null, lastTestFinished: true };
    expect(ndctlMesonResults(unsplice(console), stop)).toMatchObject([{ name: 'libndctl', status: 'pass' }]);
    // Even unread, the section's loss does not lose the results meson wrote to the results disk.
    const testlog = JSON.stringify({ name: 'ndctl:ndctl / libndctl', result: 'OK', duration: 5.31, returncode: 0 });
    expect(ndctlMesonResults(console, stop, testlog)).toMatchObject([{ name: 'libndctl', status: 'pass' }]);
  });
});
