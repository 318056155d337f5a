/**
 * Reading `git am` failures (pure): which patch failed, its subject, and the files in conflict.
 */

export interface AmFailure {
  failedPatch?: number;
  failedSubject?: string;
  conflictFiles: string[];
}

/**
 * Parses git am's output ("Patch failed at 0002 subject", "error: patch failed: f:12",
 * "CONFLICT (content): Merge conflict in f").
 */
export function parseAmFailure(output: string): AmFailure {
  const files = new Set<string>();
  let failedPatch: number | undefined;
  let failedSubject: string | undefined;
  for (const line of output.split('\n')) {
    const at = /^Patch failed at (\d+) (.*)$/.exec(line.trim());
    if (at) {
      failedPatch = Number(at[1]);
      failedSubject = at[2]?.trim();
    }
    const pf = /^error: patch failed: (.+):\d+$/.exec(line.trim());
    if (pf?.[1]) files.add(pf[1]);
    const conflict = /^CONFLICT \([^)]*\): .*?(?:Merge conflict in|in) (\S+)/.exec(line.trim());
    if (conflict?.[1]) files.add(conflict[1]);
    const missing = /^error: (\S+): (?:does not exist in index|No such file or directory)$/.exec(line.trim());
    if (missing?.[1]) files.add(missing[1]);
    const lacking = /sha1 information is lacking or useless \((.+)\)/.exec(line);
    if (lacking?.[1]) files.add(lacking[1]);
    const notApply = /^error: (\S+): patch does not apply$/.exec(line.trim());
    if (notApply?.[1]) files.add(notApply[1]);
  }
  const out: AmFailure = { conflictFiles: [...files] };
  if (failedPatch !== undefined) out.failedPatch = failedPatch;
  if (failedSubject !== undefined) out.failedSubject = failedSubject;
  return out;
}

/** The `base-commit: <sha>` line git format-patch --base writes (usually after the cover or last patch). */
export function findBaseCommit(mbox: string): string | null {
  const m = /^base-commit:\s*([0-9a-f]{7,40})\s*$/m.exec(mbox);
  return m?.[1] ?? null;
}

/** A few lines of output around the failure, for the reply. */
export function amExcerpt(output: string, maxLines = 25): string {
  const lines = output.split('\n').filter((l) => !/^hint:/.test(l) && l.trim() !== '');
  return lines.slice(0, maxLines).join('\n');
}
