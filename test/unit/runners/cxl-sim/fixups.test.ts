/**
 * The simulator fixups: each touches tools/testing/cxl only, and the 6.1 one applies to a tree
 * whose cxl.c is 6.1.192's and to no other. The trees are the cached Debian ones when present
 * (read-only: the check runs on a copy of the file in a temp repository).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyFixups, fixupProblem, listFixups, patchFiles } from '../../../../runners/cxl-sim/fixups.ts';
import { repoRoot } from '../../../../config/repo-root.ts';

const cache = process.env.DAXBOT_CACHE_DIR ?? path.join(process.env.HOME ?? '/root', '.cache', 'daxbot');
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const CXL_C = 'tools/testing/cxl/test/cxl.c';

/** A temp repository holding the given tree's cxl.c at its path, as `git show` prints it. */
function repoWithCxlC(tree: string, rev: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'daxbot-cxl-fixup-'));
  dirs.push(dir);
  mkdirSync(path.join(dir, path.dirname(CXL_C)), { recursive: true });
  writeFileSync(path.join(dir, CXL_C), execFileSync('git', ['-C', tree, 'show', `${rev}:${CXL_C}`]));
  execFileSync('git', ['init', '-q', dir]);
  return dir;
}

describe('cxl-sim fixups', () => {
  it('each touches the simulator only', async () => {
    const fixups = await listFixups(repoRoot);
    expect(fixups.map((f) => path.basename(f))).toEqual(['6.1-cxl-test-no-auto-region.patch']);
    for (const f of fixups) {
      const text = readFileSync(f, 'utf8');
      expect(patchFiles(text)).toEqual([CXL_C]);
      expect(fixupProblem(text)).toBeNull();
    }
  });

  it('refuses a fixup that reaches outside tools/testing/cxl', () => {
    const text = 'diff --git a/drivers/cxl/core/region.c b/drivers/cxl/core/region.c\n';
    expect(fixupProblem(text)).toBe('touches drivers/cxl/core/region.c (only tools/testing/cxl/ may be fixed up)');
    expect(fixupProblem('no diff here')).toBe('touches no file');
  });

  const trees = [
    ['6.1', 'v6.1.192-debian', ['6.1-cxl-test-no-auto-region']],
    ['6.12', 'v6.12.118-debian', []],
  ] as const;
  for (const [series, tag, want] of trees) {
    const tree = path.join(cache, `linux-${series}`);
    it.skipIf(!existsSync(tree))(`applies ${want.length > 0 ? want.join(', ') : 'nothing'} to ${tag}`, async () => {
      const dir = repoWithCxlC(tree, tag);
      expect(await applyFixups(dir, await listFixups(repoRoot))).toEqual(want);
      const text = readFileSync(path.join(dir, CXL_C), 'utf8');
      // 6.1's core has neither; 6.12 keeps its auto-region mock.
      expect(text.includes('CXL_DECODER_STATE_AUTO')).toBe(series === '6.12');
    });
  }
});
