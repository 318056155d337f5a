/**
 * Secondary failures. Once the kernel crashed, the rest of that boot tells nothing about the
 * series on its own: the test that was running fails (its process was killed), and the tests
 * after it fail because the device is still busy or the module is wedged. syzbot reports the
 * crash alone; so does the verdict. A test failure "follows the crash" when every series run
 * in which it failed had crashed in that test or in a test before it in the same boot (or the
 * runner said the guest stopped after the crash). Such an entry gets the class 'follows-crash':
 * never blamed, never bisected, shown under its crash. A failure seen in a run that did not
 * crash before it is evidence of its own and stays what it is. Pure.
 */
import type { Finding, RunResult, TestResult } from '../../runners/types.ts';

/** The crash a failed test follows in one run: its title and the test it happened in. */
export interface CrashCause {
  title: string;
  /** "dax/ext4_dax_mount": the suite and name of the test running at the crash, when known. */
  test: string | null;
}

function failed(status: string): boolean {
  return status === 'fail' || status === 'error' || status === 'timeout';
}

/** The crash the runner says stopped the guest before this test finished ("guest stopped after: <title>"). */
function stoppedBy(t: TestResult): string | null {
  const m = /guest stopped after: (.+)$/.exec(t.reason ?? '');
  return m?.[1]?.trim() || null;
}

/** Where in the run's test list the crash happened: the first test of its name, or -1. */
function crashIndex(run: RunResult, f: Finding): number {
  return f.test === undefined ? -1 : run.tests.findIndex((t) => t.name === f.test);
}

/**
 * The failed tests of one run that follow its first located crash ("suite/name" → the crash):
 * the crash's own test and every failed test after it. Tests the runner marked as stopped by a
 * crash ("guest stopped after: <title>") follow that crash wherever they are.
 */
export function crashFollowers(run: RunResult): Map<string, CrashCause> {
  const out = new Map<string, CrashCause>();
  const first = run.findings.map((f) => ({ f, at: crashIndex(run, f) })).find((x) => x.at >= 0);
  const at = first ? first.at : run.tests.length;
  const crashTest = first ? run.tests[first.at] : undefined;
  run.tests.forEach((t, i) => {
    if (!failed(t.status)) return;
    const key = `${t.suite}/${t.name}`;
    if (first && i >= at) {
      out.set(key, { title: first.f.title, test: crashTest ? `${crashTest.suite}/${crashTest.name}` : null });
      return;
    }
    const by = stoppedBy(t);
    const f = by === null ? undefined : run.findings.find((x) => x.title === by);
    if (f) out.set(key, { title: f.title, test: null });
  });
  return out;
}

/**
 * The crash a test follows when, in every series run in which it failed, it failed after that
 * run's crash (see the header); null when one of them failed on its own. `followers` are
 * crashFollowers() of each run, in the same order.
 */
export function followedCrash(
  key: string,
  runs: readonly RunResult[],
  followers: readonly Map<string, CrashCause>[],
): CrashCause | null {
  let cause: CrashCause | null = null;
  for (const [i, run] of runs.entries()) {
    if (!run.tests.some((t) => `${t.suite}/${t.name}` === key && failed(t.status))) continue;
    const c = followers[i]?.get(key);
    if (!c) return null;
    cause ??= c;
  }
  return cause;
}
