/**
 * meson's testlog.json as ndctl v81 left it in the guest on linux 6.12 (four entries of a real run,
 * output trimmed to its last 30 lines per stream): every entry becomes a TestResult with the
 * reason line a reply quotes (golden file).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { judge } from '../../../../bot/judge/verdict.ts';
import { parseTestlog, reasonLine, splitTestlogName } from '../../../../runners/nfit-sim/ndctl-testlog.ts';
import { repoRoot } from '../../../helpers/cli.ts';
import { expectGolden } from '../../../helpers/golden.ts';
import { runResult } from '../../../helpers/pipeline-fakes.ts';

const fixture = path.join(repoRoot, 'test', 'fixtures', 'nfit-sim', 'ndctl-testlog-6.12.json');

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

describe('the verdict over real ndctl results', () => {
  const real = parseTestlog(readFileSync(fixture, 'utf8'));
  const run = (tests = real) => runResult({ tests, failureClass: 'kernel', summary: '1 ndctl test(s) failed' });
  it('calls a test that fails on the base too pre-existing, and an exit-77 skip an environment problem', () => {
    const v = judge({ baseRuns: [run()], seriesRuns: [run()] });
    expect(v.outcome).toBe('pre-existing-only');
    const by = new Map(v.entries.map((e) => [e.key, e.class]));
    expect(by.get('ndctl/nfit-security.sh')).toBe('pre-existing');
    expect(by.get('ndctl/create.sh')).toBe('pass');
    expect(by.get('ndctl/libndctl')).toBe('skipped-prerequisite');
  });
  it('blames a test only the series fails', () => {
    const passing = real.map((t) => (t.name === 'create.sh' ? t : { ...t, status: 'pass' as const }));
    const broken = passing.map((t) =>
      t.name === 'create.sh' ? { ...t, status: 'fail' as const, reason: 'exit status 1: x' } : t,
    );
    const v = judge({ baseRuns: [run(passing)], seriesRuns: [run(broken)] });
    expect(v.outcome).toBe('regression');
    expect(v.entries.filter((e) => e.class === 'new-failure').map((e) => e.key)).toEqual(['ndctl/create.sh']);
  });
});
