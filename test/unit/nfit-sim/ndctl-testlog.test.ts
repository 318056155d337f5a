/**
 * meson's testlog.json as ndctl v81 left it in the guest on linux 6.12 (four entries of a real run,
 * output trimmed to its last 30 lines per stream): every entry becomes a TestResult with the
 * reason line a reply quotes (golden file).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTestlog, reasonLine, splitTestlogName } from '../../../runners/nfit-sim/ndctl-testlog.ts';
import { expectGolden } from '../../helpers/golden.ts';

const fixture = path.resolve(
  path.dirname(new URL(import.meta.url).pathname),
  '..',
  '..',
  'fixtures',
  'nfit-sim',
  'ndctl-testlog-6.12.json',
);

describe('parseTestlog', () => {
  it('reads pass, exit-77 skips and a failure with the line that says why', () => {
    const results = parseTestlog(readFileSync(fixture, 'utf8'));
    expect(results.map((t) => [t.suite, t.name, t.status])).toEqual([
      ['ndctl', 'create.sh', 'pass'],
      ['ndctl', 'libndctl', 'skip'],
      ['ndctl', 'btt-pad-compat.sh', 'skip'],
      ['ndctl', 'nfit-security.sh', 'fail'],
    ]);
    expect(results[3]?.reason).toBe('exit status 1: test/security.sh: failed at line 38');
    expectGolden('nfit-sim/ndctl-testlog-6.12', results);
  });
  it('skips lines that are not JSON objects of the expected shape', () => {
    expect(parseTestlog('garbage\n{"name": 1}\n{"name":"x","result":"OK"}\n')).toEqual([
      { suite: 'ndctl', name: 'x', status: 'pass' },
    ]);
  });
  it('splits names with and without a project:suite prefix, and finds the reason past set -x noise', () => {
    expect(splitTestlogName('ndctl:dax / multi-dax.sh')).toEqual({ suite: 'dax', name: 'multi-dax.sh' });
    expect(splitTestlogName('libndctl')).toEqual({ suite: 'ndctl', name: 'libndctl' });
    expect(reasonLine(['+ x', 'kernel 6.1: no', '+ exit 77', ''])).toBe('kernel 6.1: no');
    expect(reasonLine(['+ only trace'])).toBeNull();
  });
});
