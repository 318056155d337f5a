/**
 * ndctl's cxl meson suite on the cxl-sim runner: what it asks of nfit-sim's ndctl preparation
 * (the `cxl` meson suite only), the guest script it puts in front, the suite names it reports
 * under, and how a console with meson's lines becomes results (the real meson parser).
 */
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../../bot/log.ts';
import { repoRoot } from '../../../../config/repo-root.ts';
import { cxlSimSchema } from '../../../../runners/cxl-sim/schema.ts';
import {
  collectCxlMeson,
  cxlGuestSuites,
  prepareCxlMeson,
  renameMesonResults,
} from '../../../../runners/cxl-sim/meson.ts';
import type { NdctlSuitePrep, PrepareOptions } from '../../../../runners/nfit-sim/ndctl-suite.ts';
import type { FailureClass, TestResult } from '../../../../runners/types.ts';

const config = cxlSimSchema.parse({ name: 'cxl-sim', kind: 'cxl-sim', ndctlSource: '/srv/ndctl' });
const options = (suites: string[]): PrepareOptions => ({
  config,
  suites,
  repoRoot,
  cacheDir: '/c',
  workDir: '/w',
  log: silentLogger(),
});

/** What nfit-sim's preparation returns when the root filesystem and ndctl are ready. */
function fakePrepare(seen: PrepareOptions[]) {
  return async (o: PrepareOptions): Promise<NdctlSuitePrep> => {
    seen.push(o);
    const run = o.suites.includes('ndctl-meson');
    return {
      run,
      hostResults: [],
      resultsDisk: null,
      guestFiles: run
        ? [
            { source: '/r/ndctl-meson.sh', dest: '/daxbot/suites/ndctl-meson.sh', mode: 0o755 },
            { source: '/r/meson-run.py', dest: '/daxbot/nfit-sim/meson-run.py', mode: 0o755 },
          ]
        : [],
      append: run ? ['daxbot.meson-suites=ndctl:cxl'] : [],
      qemuExtra: [],
      readOnly: [],
      readWrite: [],
      timings: {},
    };
  };
}

describe('cxl-meson', () => {
  it("asks nfit-sim's preparation for ndctl's cxl suite only, and fronts its guest script", async () => {
    const seen: PrepareOptions[] = [];
    const prep = await prepareCxlMeson(options(['cxl-sim', 'cxl-meson']), fakePrepare(seen));
    expect(seen[0]?.suites).toEqual(['ndctl-meson']);
    expect(seen[0]?.config.ndctlSuites).toEqual(['cxl']);
    expect(prep.run).toBe(true);
    expect(prep.guestFiles.map((f) => [f.source.replace(repoRoot, '<repo>'), f.dest])).toEqual([
      ['/r/ndctl-meson.sh', '/daxbot/cxl-sim/ndctl-meson.sh'],
      ['/r/meson-run.py', '/daxbot/nfit-sim/meson-run.py'],
      ['<repo>/runners/guest/cxl-sim/cxl-meson.sh', '/daxbot/suites/ndctl-meson.sh'],
    ]);
    expect(cxlGuestSuites(['cxl-sim', 'cxl-meson'], prep.run)).toEqual(['cxl-sim', 'ndctl-meson']);
  });

  it('prepares nothing when not asked for', async () => {
    const seen: PrepareOptions[] = [];
    const prep = await prepareCxlMeson(options(['cxl-sim']), fakePrepare(seen));
    expect(seen[0]?.suites).toEqual([]);
    expect(prep).toMatchObject({ run: false, guestFiles: [] });
    expect(cxlGuestSuites(['cxl-sim'], false)).toEqual(['cxl-sim']);
  });

  it("reports ndctl-meson's own results as cxl-meson's", () => {
    expect(
      renameMesonResults([
        {
          suite: 'ndctl-meson',
          name: 'ndctl-meson',
          status: 'skip',
          reason: 'not configured: set ndctlSource on the nfit-sim runner to an ndctl checkout',
          missingPrerequisite: true,
        },
        { suite: 'cxl', name: 'cxl-topology.sh', status: 'pass' },
      ]),
    ).toEqual([
      {
        suite: 'cxl-meson',
        name: 'cxl-meson',
        status: 'skip',
        reason: 'not configured: set ndctlSource on the cxl-sim runner to an ndctl checkout',
        missingPrerequisite: true,
      },
      { suite: 'cxl', name: 'cxl-topology.sh', status: 'pass' },
    ]);
  });

  it("reads meson's lines in the guest's ndctl-meson section; a failing cxl test fails a clean run", () => {
    const consoleLog = [
      'DAXBOT: suite-begin ndctl-meson',
      '1/2 ndctl:cxl / cxl-topology.sh        OK              12.30s',
      '2/2 ndctl:cxl / cxl-create-region.sh   FAIL             8.10s   exit status 1',
      'DAXBOT: suite-end ndctl-meson',
    ].join('\n');
    const stop = { killed: null, lastTest: null, lastTestFinished: true };
    const clean: { tests: TestResult[]; failureClass: FailureClass; summary: string } = {
      tests: [],
      failureClass: 'none',
      summary: '',
    };
    const r = collectCxlMeson({ run: true, hostResults: [] }, consoleLog, stop, clean);
    expect(r.tests.map((t) => [t.suite, t.name, t.status])).toEqual([
      ['cxl', 'cxl-topology.sh', 'pass'],
      ['cxl', 'cxl-create-region.sh', 'fail'],
    ]);
    expect(r.failureClass).toBe('kernel');
    expect(r.summary).toMatch(/cxl\.cxl-create-region\.sh/);
  });
});
