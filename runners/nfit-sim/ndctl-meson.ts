/**
 * The external ndctl meson suite (pmem/ndctl's test/ against nfit_test). It runs only when the
 * runner config names an ndctl checkout (`ndctlSource`); otherwise it is reported as a skip for a
 * missing prerequisite so a verdict never counts it as a regression. Pure planning: which results
 * to report before (or instead of) running anything, and which meson suites to select.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { TestResult } from '../types.ts';
import { NDCTL_MESON_SUITE } from './profile.ts';

export type NdctlMesonPlan = { run: false; results: TestResult[] } | { run: true; source: string };

function skip(reason: string): NdctlMesonPlan {
  return {
    run: false,
    results: [{ suite: NDCTL_MESON_SUITE, name: NDCTL_MESON_SUITE, status: 'skip', reason, missingPrerequisite: true }],
  };
}

export function planNdctlMeson(
  ndctlSource: string | undefined,
  exists: (p: string) => boolean = existsSync,
): NdctlMesonPlan {
  if (!ndctlSource)
    return skip('not configured: set ndctlSource on the nfit-sim runner to an ndctl checkout to run its meson suite');
  if (!exists(path.join(ndctlSource, 'test', 'meson.build'))) {
    return skip(`ndctlSource ${ndctlSource} is not an ndctl checkout (no test/meson.build)`);
  }
  return { run: true, source: ndctlSource };
}

/**
 * The `--suite` values for meson (pure). A bare "dax" becomes "ndctl:dax": meson matches a bare
 * word against project names too, so `--suite ndctl` alone would select every test of the
 * project "ndctl". Names that already carry a project are kept.
 */
export function mesonSuites(suites: string[]): string[] {
  return [...new Set(suites.map((s) => (s.includes(':') ? s : `ndctl:${s}`)))];
}
