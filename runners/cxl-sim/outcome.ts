/**
 * From the analysed guest run to the cxl-sim result (pure): the module lines become one test per
 * module, the topology line becomes the `topology` test's note and the run's topology timings,
 * and a module that failed to load makes a clean-looking run a kernel failure naming the module
 * and insmod's reason (the suite's own tests only say "prerequisite topology failed").
 */
import type { GuestOutcome } from '../qemu-pmem/analyze.ts';
import type { TestResult } from '../types.ts';
import { moduleResults, parseCxlGuestSetup, topologyNote } from './guest-lines.ts';
import { CXL_SIM_SUITE } from './profile.ts';

export interface CxlOutcome extends GuestOutcome {
  /** topologyMs (first insmod to a settled topology), bootToTopologyMs (kernel start to the same). */
  timings: Record<string, number>;
}

/** The passing `topology` test gets the counts as its reason: information, never a problem. */
function noteTopology(tests: TestResult[], note: string | null): TestResult[] {
  if (note === null) return tests;
  return tests.map((t) =>
    t.suite === CXL_SIM_SUITE && t.name === 'topology' && t.status === 'pass' && t.reason === undefined
      ? { ...t, reason: note }
      : t,
  );
}

/**
 * `expectedModules` are the modules the guest was given when the smoke suite ran (empty when it
 * did not: then nothing loaded them and no module test is reported).
 */
export function cxlOutcome(outcome: GuestOutcome, consoleLog: string, expectedModules: string[]): CxlOutcome {
  const setup = parseCxlGuestSetup(consoleLog);
  const timings: Record<string, number> = {};
  if (setup.topology?.ms != null) timings.topologyMs = setup.topology.ms;
  if (setup.topology?.uptimeMs != null) timings.bootToTopologyMs = setup.topology.uptimeMs;
  const modules = expectedModules.length > 0 ? moduleResults(setup.modules, expectedModules) : [];
  const note = setup.topology?.root ? topologyNote(setup.topology) : null;
  const tests = [...modules, ...noteTopology(outcome.tests, note)];
  const errors = modules.filter((t) => t.status === 'error');
  if (outcome.failureClass === 'infra' || outcome.findings.length > 0 || errors.length === 0)
    return { ...outcome, tests, timings };
  const first = errors[0]?.reason ?? 'a test module failed to load';
  return {
    ...outcome,
    tests,
    timings,
    failureClass: 'kernel',
    summary: `${first}${errors.length > 1 ? ` (+${errors.length - 1} more)` : ''}`,
  };
}
