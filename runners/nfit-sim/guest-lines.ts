/**
 * Reads what runners/guest/nfit-sim/load-modules.sh printed: one DAXBOT-NFIT-MODULE line per
 * module and one DAXBOT-NFIT-BUSES line. Pure, so module failures are judged the same way in
 * tests and in runs.
 */
import type { TestResult } from '../types.ts';
import { NFIT_SIM_SUITE } from './profile.ts';

export interface ModuleLoad {
  name: string;
  ok: boolean;
  /** insmod's own message when it failed ("insmod: can't insert 'nd_btt.ko': No such device"). */
  message?: string;
}

export interface GuestSetup {
  modules: ModuleLoad[];
  /** Providers seen, or null when the line never came (the guest died while loading). */
  buses: string[] | null;
}

// The serial console may prefix lines with "\r" or interleave kernel messages: match anywhere.
const MODULE_LINE = /DAXBOT-NFIT-MODULE (\S+) (ok|fail)(?: (.*))?$/;
const BUSES_LINE = /DAXBOT-NFIT-BUSES(?: (.*))?$/;

export function parseGuestSetup(log: string): GuestSetup {
  const modules: ModuleLoad[] = [];
  let buses: string[] | null = null;
  for (const raw of log.split('\n')) {
    const line = raw.replace(/\r/g, '').trimEnd();
    const m = MODULE_LINE.exec(line);
    if (m?.[1] && m[2]) {
      const load: ModuleLoad = { name: m[1], ok: m[2] === 'ok' };
      if (!load.ok) load.message = (m[3] ?? '').trim() || 'insmod failed';
      modules.push(load);
      continue;
    }
    const b = BUSES_LINE.exec(line);
    if (b) buses = (b[1] ?? '').split(/\s+/).filter(Boolean);
  }
  return { modules, buses };
}

/** "insmod: can't insert ..." stays as is; a bare message gets the "insmod: " prefix. */
function insmodReason(name: string, message: string): string {
  return `module ${name}: ${message.startsWith('insmod') ? message : `insmod: ${message}`}`;
}

/**
 * One TestResult per module (pass, or error with insmod's reason) and one for the buses. A module
 * that never reported (the guest died first) is an error too: its absence is the finding.
 */
export function setupTestResults(setup: GuestSetup, expectedModules: string[], expectedBuses: string[]): TestResult[] {
  const out: TestResult[] = [];
  const byName = new Map(setup.modules.map((m) => [m.name, m]));
  for (const name of expectedModules) {
    const m = byName.get(name);
    if (!m) out.push({ suite: NFIT_SIM_SUITE, name: `module-${name}`, status: 'error', reason: `module ${name}: not loaded (the guest stopped before insmod reported)` });
    else if (m.ok) out.push({ suite: NFIT_SIM_SUITE, name: `module-${name}`, status: 'pass' });
    else out.push({ suite: NFIT_SIM_SUITE, name: `module-${name}`, status: 'error', reason: insmodReason(name, m.message ?? 'insmod failed') });
  }
  const seen = setup.buses ?? [];
  const missing = expectedBuses.filter((b) => !seen.includes(b));
  if (setup.buses === null) {
    out.push({ suite: NFIT_SIM_SUITE, name: 'buses', status: 'error', reason: 'the guest never reported the simulated buses' });
  } else if (missing.length > 0) {
    out.push({ suite: NFIT_SIM_SUITE, name: 'buses', status: 'error', reason: `bus${missing.length > 1 ? 'es' : ''} ${missing.join(', ')} did not appear` });
  } else {
    out.push({ suite: NFIT_SIM_SUITE, name: 'buses', status: 'pass' });
  }
  return out;
}
