/**
 * The guest's C helpers (runners/guest/helpers/*.c), compiled statically on the host so they
 * need no libraries in the guest. Cached by a hash of the source and the compiler version.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { InfraError } from '../errors.ts';
import { execCommand, type Exec } from '../sandbox/exec.ts';

/** Compiles every .c file in `sourceDir`; returns the binaries' paths (name without .c). */
export async function compileHelpers(sourceDir: string, cacheDir: string, exec: Exec = execCommand): Promise<string[]> {
  const cc = await exec('gcc', ['--version']);
  if (cc.code !== 0) throw new InfraError('gcc is missing on the host', {});
  const version = cc.stdout.split('\n')[0] ?? '';
  const out: string[] = [];
  const sources = (await readdir(sourceDir)).filter((f) => f.endsWith('.c')).sort();
  for (const file of sources) {
    const src = path.join(sourceDir, file);
    const hash = createHash('sha256')
      .update(version)
      .update(await readFile(src))
      .digest('hex')
      .slice(0, 12);
    const dir = path.join(cacheDir, 'guest', `helpers-${hash}`);
    const bin = path.join(dir, path.basename(file, '.c'));
    if (!existsSync(bin)) {
      await mkdir(dir, { recursive: true });
      const tmp = `${bin}.tmp-${process.pid}`;
      const r = await exec('gcc', ['-static', '-O2', '-pthread', '-Wall', '-o', tmp, src]);
      if (r.code !== 0)
        throw new InfraError(`compiling guest helper ${file} failed`, { output: r.output.slice(-3000) });
      await rename(tmp, bin);
    }
    out.push(bin);
  }
  return out;
}
