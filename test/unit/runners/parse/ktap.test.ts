import { describe, expect, it } from 'vitest';
import { extractSuites } from '../../../../runners/guest/protocol.ts';
import { parseKtap } from '../../../../runners/parse/ktap.ts';

const CONSOLE = [
  '[    5.100000] Run /init as init process',
  'DAXBOT: suite-begin dax\r',
  'KTAP version 1',
  '1..5',
  'ok 1 mmap_sync',
  '[    6.200000] nd_pmem namespace0.0: unable to guarantee persistence of writes',
  'not ok 2 fault_around # madvise returned -22',
  'ok 3 hugepage # SKIP no 2M alignment\r',
  '# Subtest: nested',
  '    1..2',
  '    ok 1 inner',
  '    not ok 2 inner2',
  'not ok 4 nested # TIMEOUT 300s',
  '[    9.000000] BUG: kernel NULL pointer dereference, address: 0000000000000008',
].join('\n');

describe('parseKtap', () => {
  it('reads results through console noise and marks unreported tests as not run', () => {
    const [block] = extractSuites(CONSOLE);
    expect(block?.suite).toBe('dax');
    expect(block?.complete).toBe(false);
    const r = parseKtap(block?.text ?? '', 'dax');
    expect(r.map((t) => [t.name, t.status])).toEqual([
      ['mmap_sync', 'pass'],
      ['fault_around', 'fail'],
      ['hugepage', 'skip'],
      ['nested', 'timeout'],
      ['test 5', 'error'],
    ]);
    expect(r[1]?.reason).toBe('madvise returned -22');
    expect(r[2]?.reason).toBe('no 2M alignment');
    expect(r[4]?.reason).toBe('not run: guest stopped');
  });

  it('splits complete blocks', () => {
    const blocks = extractSuites(
      'DAXBOT: suite-begin a\nok 1 x\nDAXBOT: suite-end a\nDAXBOT: suite-begin b\n1..1\nok 1 y\nDAXBOT: suite-end b\n',
    );
    expect(blocks.map((b) => [b.suite, b.complete])).toEqual([
      ['a', true],
      ['b', true],
    ]);
    expect(parseKtap(blocks[1]?.text ?? '', 'b')).toEqual([{ suite: 'b', name: 'y', status: 'pass' }]);
  });

  it('accepts TAP "ok 1 - name" and an excerpt before a failure', () => {
    const r = parseKtap('1..2\nok 1 - first\nsome output\nexpected 4 got 5\nnot ok 2 - second\n', 's');
    expect(r[0]?.name).toBe('first');
    expect(r[1]?.excerpt).toBe('some output\nexpected 4 got 5');
  });
});
