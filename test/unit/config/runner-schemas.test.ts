/**
 * The `runners:` section is the registered runner modules' schemas as one discriminated union on
 * `kind`: each kind's own keys are validated, another kind's keys and unknown ones are refused.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../config/load.ts';

function errors(runners: unknown[]): string[] {
  const r = parseConfig({ runners });
  return r.ok ? [] : r.errors;
}

describe('runner configuration', () => {
  it('gives each kind its own defaults and keys', () => {
    const r = parseConfig({
      runners: [
        { name: 'q', kind: 'qemu-pmem' },
        { name: 'n', kind: 'nfit-sim', ndctlSource: '/srv/ndctl' },
        { name: 's', kind: 'scripted', badPatch: 2 },
      ],
    });
    if (!r.ok) throw new Error(r.errors.join('\n'));
    const [q, n, s] = r.config.runners;
    expect(q).toMatchObject({ fragments: ['pmem'], suites: ['dax'], nvdimms: [{ sizeMiB: 1024 }, { sizeMiB: 256 }] });
    expect(n).toMatchObject({ fragments: [], suites: ['nfit-sim', 'ndctl-meson'], ndctlSuites: ['ndctl', 'dax'] });
    expect(n).not.toHaveProperty('nvdimms');
    expect(s).toMatchObject({ kind: 'scripted', badPatch: 2, delayMs: 0 });
  });

  it("refuses another kind's keys, unknown keys and unknown kinds", () => {
    expect(
      errors([
        { name: 'q', kind: 'qemu-pmem', ndctlSource: '/srv/ndctl' },
        { name: 'n', kind: 'nfit-sim', nvdimms: [] },
        { name: 'n2', kind: 'nfit-sim', ndctlMesonOptions: ['--wipe; rm -rf /'] },
        { name: 'x', kind: 'qemu-pmem-typo' },
        { name: 'q2', kind: 'qemu-pmem', nvdimms: [{ sizeMiB: 1, labelSize: 128 }] },
      ]),
    ).toEqual([
      'runners.0.ndctlSource: unknown key (known keys: name, kind, enabled, dispatch, fragments, suites, memoryMiB, cpus, bootTimeout, testTimeout, overallTimeout, consoleKeepMiB, jobs, buildEachPatch, buildLimits, nvdimms, fstestsSource, fstestsFilesystems, fstestsGroup, fstestsTests)',
      'runners.1.nvdimms: unknown key (known keys: name, kind, enabled, dispatch, fragments, suites, memoryMiB, cpus, bootTimeout, testTimeout, overallTimeout, consoleKeepMiB, jobs, buildEachPatch, buildLimits, ndctlSource, ndctlSuites, ndctlTests, ndctlDestructive, ndctlMesonOptions, ndctlTimeoutMultiplier)',
      'runners.4.nvdimms.0.labelSize: unknown key (did you mean labelSizeKiB?)',
      'runners.2.ndctlMesonOptions.0: Invalid (got "--wipe; rm -rf /")',
      `runners.3.kind: Invalid discriminator value. Expected 'qemu-pmem' | 'nfit-sim' | 'scripted' | 'cxl-sim' | 'ndctl' (got "qemu-pmem-typo")`,
    ]);
  });
});
