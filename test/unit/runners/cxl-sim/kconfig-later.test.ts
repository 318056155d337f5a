/**
 * The later-kernel fragment: its settings are kept only where the tree declares their symbols.
 * The declarations are read from two project-written Kconfig files in a real git repository (one
 * declaring the 6.12 symbols, one like 6.1 without them), and the real fragment file is cut for
 * each.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkWantedSymbols } from '../../../../runners/build/kconfig.ts';
import {
  declaredSymbols,
  fragmentSymbols,
  fragmentsForTree,
  keepDeclared,
  parseDeclarations,
} from '../../../../runners/cxl-sim/kconfig-later.ts';
import { repoRoot } from '../../../../config/repo-root.ts';

const later = readFileSync(path.join(repoRoot, 'config', 'kernel', 'cxl-sim-later.config'), 'utf8');
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A git repository holding Kconfig files (path → text). */
function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'daxbot-kconfig-later-'));
  dirs.push(dir);
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    writeFileSync(path.join(dir, f), text);
  }
  execFileSync('git', ['init', '-q', dir]);
  execFileSync('git', ['-C', dir, 'add', '.']);
  return dir;
}

const like61 = {
  'security/keys/Kconfig':
    'config KEYS\n\tbool "Enable access key retention support"\nconfig ENCRYPTED_KEYS\n\ttristate\n',
  'drivers/cxl/Kconfig': 'menuconfig CXL_BUS\n\ttristate\nconfig CXL_REGION\n\tbool\n',
};
const like612 = {
  ...like61,
  'drivers/cxl/Kconfig': 'menuconfig CXL_BUS\n\ttristate\nconfig CXL_REGION_INVALIDATION_TEST\n\tbool\n',
  'drivers/nvdimm/Kconfig': 'config NVDIMM_SECURITY_TEST\n\tbool "Enable NVDIMM security unit tests"\n',
  'drivers/dax/Kconfig': 'config DEV_DAX_CXL\n\ttristate "CXL DAX"\n',
  // A symbol named in a help text or a dependency is not a declaration.
  'drivers/misc/Kconfig': 'config OTHER\n\tdepends on CXL_REGION_INVALIDATION_TEST\n',
};

describe('the cxl-sim-later fragment', () => {
  it('names the symbols 6.12 needs and 6.1 lacks', () => {
    expect(fragmentSymbols(later)).toEqual([
      'CXL_REGION_INVALIDATION_TEST',
      'KEYS',
      'ENCRYPTED_KEYS',
      'NVDIMM_SECURITY_TEST',
      'DEV_DAX_CXL',
    ]);
  });

  it('keeps comments and declared settings, drops the rest', () => {
    const text = '# why\nCONFIG_A=y\n# CONFIG_B is not set\nCONFIG_C=m\n';
    expect(keepDeclared(text, new Set(['A', 'B']))).toBe('# why\nCONFIG_A=y\n# CONFIG_B is not set\n');
  });

  it('reads declarations, not uses', () => {
    expect([...parseDeclarations('config A\nmenuconfig B  \n\tdepends on C\n  config D\nconfigs E\n')]).toEqual([
      'A',
      'B',
      'D',
    ]);
  });

  it('is cut to nothing but KEYS on a 6.1-like tree and kept whole on a 6.12-like one', async () => {
    const old = tree(like61);
    const recent = tree(like612);
    expect([...(await declaredSymbols(old, fragmentSymbols(later)))].sort()).toEqual(['ENCRYPTED_KEYS', 'KEYS']);
    const frag = [
      { name: 'cxl-sim-later', path: 'x', text: later },
      { name: 'cxl-sim', path: 'y', text: 'CONFIG_X=y\n' },
    ];
    const [cut, untouched] = await fragmentsForTree(frag, old);
    expect(fragmentSymbols(cut?.text ?? '')).toEqual(['KEYS', 'ENCRYPTED_KEYS']);
    expect(untouched?.text).toBe('CONFIG_X=y\n');
    // What make.ts checks after olddefconfig: a 6.1 .config without the later symbols passes.
    expect(checkWantedSymbols(cut ? [cut] : [], 'CONFIG_KEYS=y\nCONFIG_ENCRYPTED_KEYS=y\n')).toEqual([]);
    const [whole] = await fragmentsForTree(frag, recent);
    expect(whole?.text).toBe(later);
  });
});
