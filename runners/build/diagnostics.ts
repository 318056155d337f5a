/**
 * Compiler and linker output → diagnostics. Pure: the build result keeps the first errors so a
 * reply can quote them, and new warnings are computed against the base build's warnings.
 */
import type { BuildDiagnostic } from '../types.ts';

const GCC_LINE = /^(?<file>[^\s:][^:]*):(?<line>\d+):(?:(?<col>\d+):)?\s+(?<sev>fatal error|error|warning):\s+(?<msg>.*)$/;
const LD_UNDEFINED = /^(?:(?<file>[^\s:][^:]*):)?(?:\(.*?\):\s*)?.*?(?<msg>undefined reference to .*)$/;

function relativize(file: string, roots: string[]): string {
  for (const root of roots) {
    const r = root.endsWith('/') ? root : `${root}/`;
    if (file.startsWith(r)) return file.slice(r.length);
  }
  return file.replace(/^\.\//, '');
}

/**
 * Parses gcc/ld output. `roots` (the source and build folders) are stripped from file names so
 * diagnostics compare across build slots. Duplicates (the same header warning from many units)
 * are kept once.
 */
export function parseBuildOutput(output: string, roots: string[] = []): { errors: BuildDiagnostic[]; warnings: BuildDiagnostic[] } {
  const errors: BuildDiagnostic[] = [];
  const warnings: BuildDiagnostic[] = [];
  const seen = new Set<string>();
  for (const raw of output.split('\n')) {
    const line = raw.replace(/\r$/, '');
    const m = GCC_LINE.exec(line);
    let d: BuildDiagnostic | null = null;
    if (m?.groups) {
      const g = m.groups;
      d = {
        file: relativize(g.file ?? '', roots),
        line: Number(g.line),
        severity: g.sev === 'warning' ? 'warning' : 'error',
        message: (g.msg ?? '').trim(),
      };
      if (g.col) d.column = Number(g.col);
    } else if (line.includes('undefined reference to')) {
      const u = LD_UNDEFINED.exec(line);
      d = { file: relativize(u?.groups?.file ?? '', roots), line: 0, severity: 'error', message: (u?.groups?.msg ?? line).trim() };
    }
    if (!d) continue;
    const key = `${d.severity}:${d.file}:${d.line}:${d.column ?? ''}:${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    (d.severity === 'error' ? errors : warnings).push(d);
  }
  return { errors, warnings };
}

/**
 * Warnings in `current` that the base build did not have. Matched on file and message, not line:
 * a patch that adds lines above an old warning moves it without making it new.
 */
export function newWarnings(base: BuildDiagnostic[], current: BuildDiagnostic[]): BuildDiagnostic[] {
  const counts = new Map<string, number>();
  const key = (d: BuildDiagnostic): string => `${d.file}\u0000${d.message}`;
  for (const d of base) counts.set(key(d), (counts.get(key(d)) ?? 0) + 1);
  const out: BuildDiagnostic[] = [];
  for (const d of current) {
    const k = key(d);
    const n = counts.get(k) ?? 0;
    if (n > 0) counts.set(k, n - 1);
    else out.push(d);
  }
  return out;
}

/** The last lines of make's output that explain a failure ("*** [...] Error 1" and what preceded it). */
export function failureExcerpt(output: string, maxLines = 40): string {
  const lines = output.split('\n');
  const firstErr = lines.findIndex((l) => /\berror\b|\*\*\*/i.test(l) && !/warning/i.test(l));
  const start = firstErr >= 0 ? Math.max(0, firstErr - 5) : Math.max(0, lines.length - maxLines);
  return lines.slice(start, start + maxLines).join('\n');
}
