/**
 * What of make's output a failed build keeps for people. The diagnostics themselves (compiler,
 * linker, modpost) are parsed by runners/parse/build-log.ts.
 */
/** The last lines of make's output that explain a failure ("*** [...] Error 1" and what preceded it). */
export function failureExcerpt(output: string, maxLines = 40): string {
  const lines = output.split('\n');
  const firstErr = lines.findIndex((l) => /\berror\b|\*\*\*/i.test(l) && !/warning/i.test(l));
  const start = firstErr >= 0 ? Math.max(0, firstErr - 5) : Math.max(0, lines.length - maxLines);
  return lines.slice(start, start + maxLines).join('\n');
}
