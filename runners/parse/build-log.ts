/**
 * Diagnostics from a kernel build log: gcc/clang "file:line:col: error|warning: msg",
 * linker "undefined reference" errors and modpost "ERROR:/WARNING: modpost:" lines.
 */
import type { BuildDiagnostic } from '../types.ts';

export interface BuildLogDiagnostics {
  errors: BuildDiagnostic[];
  warnings: BuildDiagnostic[];
}

const COMPILER =
  /^(?:\.\/)?([^\s:][^:]*?\.(?:c|h|S|s|rs|lds|dts|dtsi)):([0-9]+)(?::([0-9]+))?: (?:fatal )?(error|warning): (.*)$/;
// "ld: fs/dax.o: in function `dax_foo':" is context; the error line follows with file:line or the object.
const LINKER_UNDEF =
  /^(?:[a-z0-9_.-]*-)?ld(?:\.[a-z]+)?: (?:([^\s:]+?):(?:\(\S+\)|([0-9]+))?:? )?(?:.*?)(undefined reference to `[^']+'|relocation truncated to fit.*|multiple definition of `[^']+'.*)$/;
const LINKER_OTHER = /^(?:[a-z0-9_.-]*-)?ld(?:\.[a-z]+)?: (?!.*in function `)(.*error.*)$/i;
const MODPOST = /^(ERROR|WARNING): modpost: (.*)$/;
const MAKE_ERROR = /^make(?:\[[0-9]+\])?: \*\*\* \[([^\]]+)\] Error [0-9]+/;
const ANSI = /\x1b\[[0-9;]*m/g;

function relativize(file: string, roots: string[]): string {
  for (const root of roots) {
    const r = root.endsWith('/') ? root : `${root}/`;
    if (file.startsWith(r)) return file.slice(r.length);
  }
  return file.replace(/^\.\//, '');
}

/**
 * `roots` (the source and build folders) are stripped from file names so diagnostics compare
 * across build slots and read as tree paths in a reply.
 */
export function parseBuildLog(text: string, roots: string[] = []): BuildLogDiagnostics {
  const errors: BuildDiagnostic[] = [];
  const warnings: BuildDiagnostic[] = [];
  const seen = new Set<string>();
  const add = (d: BuildDiagnostic) => {
    const key = `${d.severity}|${d.file}|${d.line}|${d.column ?? ''}|${d.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    (d.severity === 'error' ? errors : warnings).push(d);
  };
  let sawError = false;
  let firstMakeError: BuildDiagnostic | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.replaceAll('\r', '').replace(ANSI, '').trimEnd();
    const c = COMPILER.exec(line);
    if (c !== null) {
      const [, file, ln, col, sev, msg] = c;
      if (file === undefined || ln === undefined || msg === undefined) continue;
      const d: BuildDiagnostic = {
        file: relativize(file, roots),
        line: Number(ln),
        severity: sev === 'error' ? 'error' : 'warning',
        message: msg.trim(),
      };
      if (col !== undefined) d.column = Number(col);
      if (d.severity === 'error') sawError = true;
      add(d);
      continue;
    }
    const l = LINKER_UNDEF.exec(line);
    if (l !== null) {
      sawError = true;
      add({
        file: l[1] === undefined ? 'vmlinux' : relativize(l[1], roots),
        line: l[2] === undefined ? 0 : Number(l[2]),
        severity: 'error',
        message: (l[3] ?? '').trim(),
      });
      continue;
    }
    const lo = LINKER_OTHER.exec(line);
    if (lo !== null) {
      sawError = true;
      add({ file: 'vmlinux', line: 0, severity: 'error', message: (lo[1] ?? '').trim() });
      continue;
    }
    const m = MODPOST.exec(line);
    if (m !== null) {
      const msg = (m[2] ?? '').trim();
      const mod = /\[([^\]]+\.ko)\]/.exec(msg);
      if (m[1] === 'ERROR') sawError = true;
      add({ file: mod?.[1] ?? 'modpost', line: 0, severity: m[1] === 'ERROR' ? 'error' : 'warning', message: msg });
      continue;
    }
    const mk = MAKE_ERROR.exec(line);
    if (mk !== null && firstMakeError === null)
      firstMakeError = { file: mk[1] ?? 'Makefile', line: 0, severity: 'error', message: line };
  }
  // A failed make with no recognizable diagnostic still must not look like a clean build.
  if (!sawError && firstMakeError !== null) errors.push(firstMakeError);
  return { errors, warnings };
}

function identity(d: BuildDiagnostic): string {
  // Line numbers move with every patch; file + message identify a diagnostic across builds.
  return `${d.severity}|${d.file}|${d.message.replace(/\s+/g, ' ').trim()}`;
}

/** Diagnostics in `head` that `base` did not have (compared by file and message, not line). */
export function newWarnings(base: BuildDiagnostic[], head: BuildDiagnostic[]): BuildDiagnostic[] {
  const counts = new Map<string, number>();
  for (const d of base) counts.set(identity(d), (counts.get(identity(d)) ?? 0) + 1);
  const out: BuildDiagnostic[] = [];
  for (const d of head) {
    const k = identity(d);
    const n = counts.get(k) ?? 0;
    if (n > 0) counts.set(k, n - 1);
    else out.push(d);
  }
  return out;
}
