/**
 * Which shared libraries a host binary needs inside the guest: `ldd` output parsed (pure) and
 * resolved (I/O at the edge, via the passed exec).
 */
import type { Exec } from '../sandbox/exec.ts';
import { InfraError } from '../errors.ts';

/** Absolute library paths from ldd output ("libx.so => /lib/.../libx.so (0x..)", "/lib64/ld-linux... (0x..)"). */
export function parseLdd(output: string): string[] {
  const out: string[] = [];
  for (const line of output.split('\n')) {
    const arrow = /=>\s+(\/\S+)\s+\(0x/.exec(line);
    const direct = /^\s*(\/\S+)\s+\(0x/.exec(line);
    const p = arrow?.[1] ?? direct?.[1];
    if (p && !out.includes(p)) out.push(p);
  }
  return out;
}

/** The libraries of each binary (static ones have none). */
export async function sharedLibraries(exec: Exec, binaries: string[]): Promise<string[]> {
  const all = new Set<string>();
  for (const bin of binaries) {
    const r = await exec('ldd', [bin]);
    if (r.code !== 0 && !/not a dynamic executable|statically linked/.test(r.output)) {
      throw new InfraError(`ldd failed for ${bin}`, { output: r.output.slice(-1000) });
    }
    if (/not found/.test(r.output)) throw new InfraError(`${bin} has a missing library`, { output: r.output });
    for (const lib of parseLdd(r.output)) all.add(lib);
  }
  return [...all].sort();
}
