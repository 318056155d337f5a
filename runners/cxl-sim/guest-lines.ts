/**
 * Reads what the guest's cxl-sim scripts printed for the host: load-modules.sh's one
 * DAXBOT-CXL-MODULE line per module and its one DAXBOT-CXL-TOPOLOGY line (the simulated topology's
 * counts and how long it took to settle). Pure, so module and topology failures are judged the same
 * way in tests and in runs.
 */
import type { TestResult } from '../types.ts';
import { CXL_SIM_SUITE } from './profile.ts';

export interface ModuleLoad {
  name: string;
  ok: boolean;
  /** insmod's own message when it failed ("insmod: can't insert 'cxl_acpi.ko': Unknown symbol in module"). */
  message?: string;
}

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
const MODULE_LINE = /DAXBOT-CXL-MODULE (\S+) (ok|fail)(?: (.*))?$/;
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
    const m = MODULE_LINE.exec(line);
    if (m?.[1] && m[2]) {
      if (modules.some((x) => x.name === m[1])) continue;
      const load: ModuleLoad = { name: m[1], ok: m[2] === 'ok' };
      if (!load.ok) load.message = (m[3] ?? '').trim() || 'insmod failed';
      modules.push(load);
      continue;
    }
    const t = TOPOLOGY_LINE.exec(line);
    if (t?.[1] && topology === null) topology = parseTopology(t[1], t[2] ?? '');
  }
  return { modules, topology };
}

/** "insmod: can't insert ..." stays as is; a bare message gets the "insmod: " prefix. */
function insmodReason(name: string, message: string): string {
  return `module ${name}: ${message.startsWith('insmod') ? message : `insmod: ${message}`}`;
}

/**
 * One TestResult per expected module: pass, or error with insmod's reason. A module that never
 * reported (the guest died first) is an error too: its absence is the finding. The topology
 * itself is the suite's own first test.
 */
export function moduleResults(modules: ModuleLoad[], expected: string[]): TestResult[] {
  const byName = new Map(modules.map((m) => [m.name, m]));
  return expected.map((name): TestResult => {
    const m = byName.get(name);
    const base = { suite: CXL_SIM_SUITE, name: `module-${name}` };
    if (!m)
      return {
        ...base,
        status: 'error',
        reason: `module ${name}: not loaded (the guest stopped before insmod reported)`,
      };
    if (m.ok) return { ...base, status: 'pass' };
    return { ...base, status: 'error', reason: insmodReason(name, m.message ?? 'insmod failed') };
  });
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
