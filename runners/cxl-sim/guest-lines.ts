/**
 * Reads what the guest's cxl-sim scripts printed for the host: load-modules.sh's one
 * DAXBOT-CXL-MODULE line per module and its one DAXBOT-CXL-TOPOLOGY line (the simulated topology's
 * counts and how long it took to settle). Pure, so module and topology failures are judged the same
 * way in tests and in runs.
 */
import {
  moduleLinePattern,
  moduleResults as simulatorModuleResults,
  readModuleLine,
  type ModuleLoad,
} from '../parse/module-lines.ts';
import type { TestResult } from '../types.ts';
import { CXL_SIM_SUITE } from './profile.ts';

export interface Topology {
  /** "root0", or null when no topology settled. */
  root: string | null;
  /** memdevs, bound, endpoints, ports, decoders as counted on the cxl bus. */
  counts: Record<string, number>;
  /** From the first insmod to a settled topology. */
  ms: number | null;
  /** Since the kernel started: boot to topology ready. */
  uptimeMs: number | null;
  /** Why there is none ("no CXL root (root0) on the cxl bus after 60 s"). */
  reason?: string;
}

export interface CxlGuestSetup {
  modules: ModuleLoad[];
  /** null when the line never came (the guest died while loading). */
  topology: Topology | null;
}

// The serial console may prefix lines with "\r" or interleave kernel messages: match anywhere.
const MODULE_LINE = moduleLinePattern('CXL');
const TOPOLOGY_LINE = /DAXBOT-CXL-TOPOLOGY (\S+)(?: (.*))?$/;

function parseTopology(root: string, rest: string): Topology {
  if (root === 'none')
    return { root: null, counts: {}, ms: null, uptimeMs: null, reason: rest.trim() || 'no topology' };
  const counts: Record<string, number> = {};
  let ms: number | null = null;
  let uptimeMs: number | null = null;
  for (const word of rest.split(/\s+/)) {
    const m = /^(\w+)=(\d+)$/.exec(word);
    if (!m?.[1] || m[2] === undefined) continue;
    const n = Number(m[2]);
    if (m[1] === 'ms') ms = n;
    else if (m[1] === 'uptime_ms') uptimeMs = n;
    else counts[m[1]] = n;
  }
  return { root, counts, ms, uptimeMs };
}

/**
 * The first report of each module and of the topology counts: ndctl's meson suite reloads
 * cxl_test later, and a second load attempt would only add insmod's "File exists".
 */
export function parseCxlGuestSetup(log: string): CxlGuestSetup {
  const modules: ModuleLoad[] = [];
  let topology: Topology | null = null;
  for (const raw of log.split('\n')) {
    const line = raw.replace(/\r/g, '').trimEnd();
    if (readModuleLine(MODULE_LINE, line, modules)) continue;
    const t = TOPOLOGY_LINE.exec(line);
    if (t?.[1] && topology === null) topology = parseTopology(t[1], t[2] ?? '');
  }
  return { modules, topology };
}

/**
 * One TestResult of the cxl-sim suite per expected module (runners/parse/module-lines.ts). The
 * topology itself is the suite's own first test.
 */
export function moduleResults(modules: ModuleLoad[], expected: string[]): TestResult[] {
  return simulatorModuleResults(CXL_SIM_SUITE, modules, expected);
}

/** The topology in one line for the `topology` test's reason: "root0: 10 memdevs, 10 endpoints, ...". */
export function topologyNote(t: Topology): string {
  if (!t.root) return t.reason ?? 'no topology';
  const c = t.counts;
  const parts = ['memdevs', 'endpoints', 'ports', 'decoders']
    .filter((k) => c[k] !== undefined)
    .map((k) => `${c[k]} ${k}`);
  return `${t.root}: ${parts.join(', ')}${t.ms !== null ? `, ready ${t.ms} ms after the first insmod` : ''}`;
}
