/**
 * Reads what the guest's nfit-sim scripts printed for the host: load-modules.sh's one
 * DAXBOT-NFIT-MODULE line per module and one DAXBOT-NFIT-BUSES line (printed by the built-in
 * suite and by the ndctl-meson suite, whichever loaded the modules), and broken-dimms.sh's
 * DAXBOT-NFIT-DIMM lines. Pure, so module failures are judged the same way in tests and in runs.
 */
import { moduleLinePattern, moduleResults, readModuleLine, type ModuleLoad } from '../parse/module-lines.ts';
import type { TestResult } from '../types.ts';
import { BROKEN_DIMMS_TEST, NFIT_SIM_SUITE } from './profile.ts';

/** One DIMM of a simulated bus and the failure flags its sysfs `nfit/flags` showed. */
export interface DimmFlags {
  bus: string;
  /** "nmem4" */
  dimm: string;
  /** Only the failure flags ("save_fail", "map_fail"); empty for a healthy DIMM. */
  flags: string[];
}

export interface GuestSetup {
  modules: ModuleLoad[];
  /** Providers seen, or null when the line never came (the guest died while loading). */
  buses: string[] | null;
  dimms: DimmFlags[];
}

// The serial console may prefix lines with "\r" or interleave kernel messages: match anywhere.
const MODULE_LINE = moduleLinePattern('NFIT');
const BUSES_LINE = /DAXBOT-NFIT-BUSES(?: (.*))?$/;
const DIMM_LINE = /DAXBOT-NFIT-DIMM (\S+) (\S+)(?: (.*))?$/;

/**
 * The first report of each module, of the buses and of each DIMM counts: a second load attempt
 * (ndctl-meson.sh after a built-in suite whose buses never appeared) only adds insmod's "File
 * exists" for modules that loaded the first time, which would hide the real reason.
 */
export function parseGuestSetup(log: string): GuestSetup {
  const modules: ModuleLoad[] = [];
  let buses: string[] | null = null;
  const dimms: DimmFlags[] = [];
  for (const raw of log.split('\n')) {
    const line = raw.replace(/\r/g, '').trimEnd();
    if (readModuleLine(MODULE_LINE, line, modules)) continue;
    const d = DIMM_LINE.exec(line);
    if (d?.[1] && d[2]) {
      const [, bus, dimm] = d;
      if (!dimms.some((x) => x.bus === bus && x.dimm === dimm))
        dimms.push({ bus, dimm, flags: (d[3] ?? '').split(/\s+/).filter(Boolean) });
      continue;
    }
    const b = BUSES_LINE.exec(line);
    if (b && buses === null) buses = (b[1] ?? '').split(/\s+/).filter(Boolean);
  }
  return { modules, buses, dimms };
}

/**
 * The broken DIMMs of `bus` in one line, or null when none showed a flag: "simulated broken
 * DIMMs on nfit_test.1 (as nfit_test sets them up, not a failure): nmem4 save_fail restore_fail;
 * nmem5 map_fail".
 */
export function brokenDimmNote(dimms: DimmFlags[], bus: string): string | null {
  const broken = dimms.filter((d) => d.bus === bus && d.flags.length > 0);
  if (broken.length === 0) return null;
  return `simulated broken DIMMs on ${bus} (as nfit_test sets them up, not a failure): ${broken.map((d) => `${d.dimm} ${d.flags.join(' ')}`).join('; ')}`;
}

/**
 * Puts the note on the passing broken-DIMM test as its reason, where a reply and the dashboard
 * read it as information (a pass's reason is never a problem). A failed test keeps its own
 * reason (pure).
 */
export function annotateBrokenDimms(tests: TestResult[], note: string | null): TestResult[] {
  if (note === null) return tests;
  return tests.map((t) =>
    t.suite === NFIT_SIM_SUITE && t.name === BROKEN_DIMMS_TEST && t.status === 'pass' && t.reason === undefined
      ? { ...t, reason: note }
      : t,
  );
}

/**
 * One TestResult per module (pass, or error with insmod's reason) and one for the buses. A module
 * that never reported (the guest died first) is an error too: its absence is the finding.
 */
export function setupTestResults(
  setup: Pick<GuestSetup, 'modules' | 'buses'>,
  expectedModules: string[],
  expectedBuses: string[],
): TestResult[] {
  const out = moduleResults(NFIT_SIM_SUITE, setup.modules, expectedModules);
  const seen = setup.buses ?? [];
  const missing = expectedBuses.filter((b) => !seen.includes(b));
  if (setup.buses === null) {
    out.push({
      suite: NFIT_SIM_SUITE,
      name: 'buses',
      status: 'error',
      reason: 'the guest never reported the simulated buses',
    });
  } else if (missing.length > 0) {
    out.push({
      suite: NFIT_SIM_SUITE,
      name: 'buses',
      status: 'error',
      reason: `bus${missing.length > 1 ? 'es' : ''} ${missing.join(', ')} did not appear`,
    });
  } else {
    out.push({ suite: NFIT_SIM_SUITE, name: 'buses', status: 'pass' });
  }
  return out;
}
