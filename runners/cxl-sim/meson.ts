/**
 * ndctl's `cxl` meson suite on cxl_test (suite `cxl-meson`), by the nfit-sim runner's machinery for
 * ndctl's meson suites (runners/nfit-sim/ndctl-suite.ts: the cached Debian root filesystem and the
 * ndctl build as virtio disks, `meson test` in a chroot, the console read back), run for the meson
 * suite `ndctl:cxl` whatever the runner's ndctlSuites say. In the guest the suite runs under
 * ndctl-meson's section name with runners/guest/cxl-sim/cxl-meson.sh in front of nfit-sim's
 * script: it loads the cxl_test modules when the smoke suite did not, and hands the script the
 * cxl_test load order instead of nfit_test's. The host turns that section's results back into
 * this runner's names: meson's tests keep their suite `cxl`; the suite's own errors and skips are
 * `cxl-meson`.
 */
import path from 'node:path';
import type { GuestStop } from '../nfit-sim/ndctl-results.ts';
import {
  mergeNdctlSuite,
  prepareNdctlSuite,
  type NdctlSuitePrep,
  type PrepareOptions,
} from '../nfit-sim/ndctl-suite.ts';
import { NDCTL_MESON_SUITE } from '../nfit-sim/profile.ts';
import type { FailureClass, TestResult } from '../types.ts';
import { cxlGuestScripts } from './guest-files.ts';
import { CXL_MESON_SUITE } from './profile.ts';

/** ndctl's meson suite that drives cxl_test. */
export const CXL_MESON_SUITES = ['cxl'];

/** The guest suites for a run's suites: cxl-meson runs under ndctl-meson's name (pure). */
export function cxlGuestSuites(suites: string[], mesonRuns: boolean): string[] {
  return [...suites.filter((s) => s !== CXL_MESON_SUITE), ...(mesonRuns ? [NDCTL_MESON_SUITE] : [])];
}

/** ndctl-meson's own results (setup errors, "not configured") renamed to cxl-meson (pure). */
export function renameMesonResults(tests: TestResult[]): TestResult[] {
  return tests.map((t) => {
    if (t.suite !== NDCTL_MESON_SUITE) return t;
    const reason = t.reason?.replace('on the nfit-sim runner', 'on the cxl-sim runner');
    return {
      ...t,
      suite: CXL_MESON_SUITE,
      ...(t.name === NDCTL_MESON_SUITE ? { name: CXL_MESON_SUITE } : {}),
      ...(reason !== undefined ? { reason } : {}),
    };
  });
}

export type CxlMesonPrep = NdctlSuitePrep;

/**
 * The host side before the boot. Not asked for: nothing. Asked for: ndctl's preparation for the
 * `cxl` meson suite, with this runner's wrapper as the guest's ndctl-meson script.
 */
export async function prepareCxlMeson(
  o: PrepareOptions,
  prepare: typeof prepareNdctlSuite = prepareNdctlSuite,
): Promise<CxlMesonPrep> {
  const wanted = o.suites.includes(CXL_MESON_SUITE);
  const prep = await prepare({
    ...o,
    config: { ...o.config, ndctlSuites: CXL_MESON_SUITES },
    suites: wanted ? [NDCTL_MESON_SUITE] : [],
  });
  const wrapper = path.join(cxlGuestScripts(o.repoRoot), 'cxl-meson.sh');
  const script = `/daxbot/suites/${NDCTL_MESON_SUITE}.sh`;
  return {
    ...prep,
    hostResults: renameMesonResults(prep.hostResults),
    guestFiles: prep.run
      ? [
          ...prep.guestFiles.map((f) => (f.dest === script ? { ...f, dest: '/daxbot/cxl-sim/ndctl-meson.sh' } : f)),
          { source: wrapper, dest: script, mode: 0o755 },
        ]
      : [],
  };
}

interface Outcome {
  tests: TestResult[];
  failureClass: FailureClass;
  summary: string;
}

/** After the run: the meson suite's results folded into the outcome, under this runner's names (pure). */
export function collectCxlMeson<T extends Outcome>(
  prep: Pick<CxlMesonPrep, 'run' | 'hostResults'>,
  consoleLog: string,
  stop: GuestStop,
  outcome: T,
): T {
  const merged = mergeNdctlSuite(prep, consoleLog, stop, outcome);
  return { ...merged, tests: renameMesonResults(merged.tests) };
}
