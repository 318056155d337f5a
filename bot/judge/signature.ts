/**
 * Crash signatures: a Finding title with everything that changes from boot to boot removed
 * (addresses, offsets, pids, timings, compiler clone suffixes), so the same bug seen on the
 * base and on the series compares equal.
 */
export function crashSignature(title: string): string {
  return (
    title
      // "fs_dax_release+0x5/0x90": the offset moves whenever any code around it changes.
      .replace(/\+0x[0-9a-f]+(\/0x[0-9a-f]+)?/gi, '')
      // "folio_mark_dirty.isra.0", ".constprop.0", ".part.25", ".cold": compiler clones.
      .replace(/\.(isra|constprop|part|cold|lto_priv|llvm)(\.\d+)*/g, '')
      .replace(/\b0x[0-9a-f]+\b/gi, 'ADDR')
      .replace(/\b[0-9a-f]{8,}\b/gi, 'ADDR')
      // "task mmap:1295 blocked", "PID: 1295", "pid 12".
      .replace(/\b(pid:?\s*)\d+/gi, '$1N')
      .replace(/\b([A-Za-z_][\w.-]*):\d+\b/g, '$1')
      .replace(/\b\d+ (seconds|s|jiffies|ms)\b/g, 'N $1')
      .replace(/\bCPU#?\d+/g, 'CPU')
      .replace(/\s+/g, ' ')
      .trim()
  );
}
