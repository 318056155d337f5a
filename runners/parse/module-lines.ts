/**
 * The simulator runners' module lines: a guest's load-modules.sh prints one
 * `DAXBOT-<TAG>-MODULE <name> ok|fail [insmod's message]` line per module (TAG is NFIT or CXL).
 * Reading them and turning them into one TestResult per expected module is the same for every
 * simulator, so a module that failed to load is judged the same way everywhere (pure).
 */
import type { TestResult } from '../types.ts';

export interface ModuleLoad {
  name: string;
  ok: boolean;
  /** insmod's own message when it failed ("insmod: can't insert 'nd_btt.ko': No such device"). */
  message?: string;
}

/**
 * The matcher for one tag's module lines. The serial console may prefix lines with "\r" or
 * interleave kernel messages, so it matches anywhere in a line.
 */
export function moduleLinePattern(tag: string): RegExp {
  return new RegExp(`DAXBOT-${tag}-MODULE (\\S+) (ok|fail)(?: (.*))?$`);
}

/**
 * Reads `line` (already stripped of "\r") as a module line of `pattern` into `modules`, keeping
 * only the first report of each module: a later load attempt would only add insmod's "File
 * exists" and hide the real reason. Returns whether the line was a module line.
 */
export function readModuleLine(pattern: RegExp, line: string, modules: ModuleLoad[]): boolean {
  const m = pattern.exec(line);
  if (!m?.[1] || !m[2]) return false;
  if (modules.some((x) => x.name === m[1])) return true;
  const load: ModuleLoad = { name: m[1], ok: m[2] === 'ok' };
  if (!load.ok) load.message = (m[3] ?? '').trim() || 'insmod failed';
  modules.push(load);
  return true;
}

/** "insmod: can't insert ..." stays as is; a bare message gets the "insmod: " prefix. */
function insmodReason(name: string, message: string): string {
  return `module ${name}: ${message.startsWith('insmod') ? message : `insmod: ${message}`}`;
}

/**
 * One TestResult of `suite` per expected module, named `module-<name>`: pass, or error with
 * insmod's reason. A module that never reported (the guest died first) is an error too: its
 * absence is the finding.
 */
export function moduleResults(suite: string, modules: ModuleLoad[], expected: string[]): TestResult[] {
  const byName = new Map(modules.map((m) => [m.name, m]));
  return expected.map((name): TestResult => {
    const m = byName.get(name);
    const base = { suite, name: `module-${name}` };
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
