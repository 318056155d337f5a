/**
 * Project-written fixups of a tree's simulator code (runners/cxl-sim/fixups/*.patch), applied in
 * the build slot after the series and before the build, for base and series runs alike. Each is
 * applied only where `git apply --check` says it applies, so a fixup written for one tree
 * (Debian's 6.1.192, whose tools/testing/cxl does not build as shipped) never touches another, and
 * a series that rewrites the same lines wins. A fixup may touch tools/testing/cxl only: what is
 * tested (drivers/cxl) is always the tree's and the series' own code. The slot is reset by the
 * next checkout, so nothing of a fixup outlives the run.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { InfraError } from '../../bot/errors.ts';
import { execCommand, type Exec } from '../sandbox/exec.ts';
import { CXL_TEST_MAKE_DIR } from './profile.ts';

export const FIXUPS_DIR = path.join('runners', 'cxl-sim', 'fixups');

/** The files a patch touches (its `diff --git a/X b/X` lines; pure). */
export function patchFiles(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/^diff --git a\/(\S+) b\/(\S+)$/gm)) {
    if (m[2] && !out.includes(m[2])) out.push(m[2]);
  }
  return out;
}

/** Why a fixup may not be used, or null: it must change the simulator and nothing else (pure). */
export function fixupProblem(text: string): string | null {
  const files = patchFiles(text);
  if (files.length === 0) return 'touches no file';
  const outside = files.filter((f) => !f.startsWith(`${CXL_TEST_MAKE_DIR}/`));
  return outside.length > 0 ? `touches ${outside.join(', ')} (only ${CXL_TEST_MAKE_DIR}/ may be fixed up)` : null;
}

/** The fixup patches in order of their names. */
export async function listFixups(repoRoot: string): Promise<string[]> {
  const dir = path.join(repoRoot, FIXUPS_DIR);
  const names = (await readdir(dir)).filter((n) => n.endsWith('.patch')).sort();
  return names.map((n) => path.join(dir, n));
}

/**
 * Applies every fixup that applies to `slot`; returns the names of those applied. A fixup that
 * touches more than the simulator is a bug of ours (InfraError), never applied.
 */
export async function applyFixups(slot: string, fixups: string[], exec: Exec = execCommand): Promise<string[]> {
  const applied: string[] = [];
  for (const file of fixups) {
    const problem = fixupProblem(await readFile(file, 'utf8'));
    if (problem) throw new InfraError(`cxl-sim fixup ${path.basename(file)} ${problem}`, { file });
    const check = await exec('git', ['-C', slot, 'apply', '--check', file]);
    if (check.code !== 0) continue;
    const r = await exec('git', ['-C', slot, 'apply', file]);
    if (r.code !== 0)
      throw new InfraError(`cxl-sim fixup ${path.basename(file)} did not apply after its check`, {
        file,
        output: r.output.slice(-1000),
      });
    applied.push(path.basename(file, '.patch'));
  }
  return applied;
}
