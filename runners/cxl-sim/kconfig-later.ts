/**
 * The symbols of later kernels in one fragment for every tree: the `cxl-sim-later` fragment's
 * lines are kept only where the tree under test declares their symbol. 6.12's cxl_test build
 * demands symbols (CXL_REGION_INVALIDATION_TEST, NVDIMM_SECURITY_TEST) that 6.1 has never heard of;
 * asking 6.1 for them would be reported as "wanted y but is unset after olddefconfig" (make.ts),
 * and leaving them out breaks 6.12's build. A symbol the tree declares but drops (an unmet
 * dependency) is still an error, as for every other fragment.
 */
import { InfraError } from '../../bot/errors.ts';
import { execCommand, type Exec } from '../sandbox/exec.ts';
import type { Fragment } from '../build/kconfig.ts';
import { CXL_SIM_LATER_FRAGMENT } from './profile.ts';

const SETTING = /^\s*(?:CONFIG_([A-Za-z0-9_]+)=|#\s*CONFIG_([A-Za-z0-9_]+) is not set)/;

/** The symbols a fragment's text sets or unsets, in order (pure). */
export function fragmentSymbols(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const m = SETTING.exec(line);
    const sym = m?.[1] ?? m?.[2];
    if (sym && !out.includes(sym)) out.push(sym);
  }
  return out;
}

/** The fragment's text with the settings of undeclared symbols left out (pure). */
export function keepDeclared(text: string, declared: ReadonlySet<string>): string {
  return text
    .split('\n')
    .filter((line) => {
      const m = SETTING.exec(line);
      const sym = m?.[1] ?? m?.[2];
      return sym === undefined || declared.has(sym);
    })
    .join('\n');
}

/** `config FOO` / `menuconfig FOO` lines of `git grep` output → the symbol names (pure). */
export function parseDeclarations(grepOutput: string): Set<string> {
  const out = new Set<string>();
  for (const line of grepOutput.split('\n')) {
    const m = /^\s*(?:menu)?config\s+([A-Za-z0-9_]+)\s*$/.exec(line);
    if (m?.[1]) out.add(m[1]);
  }
  return out;
}

/**
 * Which of `symbols` the checked-out tree in `source` declares in a Kconfig file. Reads the files
 * with git grep (no code of the tree runs).
 */
export async function declaredSymbols(
  source: string,
  symbols: string[],
  exec: Exec = execCommand,
): Promise<Set<string>> {
  if (symbols.length === 0) return new Set();
  const r = await exec('git', [
    '-C',
    source,
    'grep',
    '-h',
    '-E',
    `^\\s*(menu)?config\\s+(${symbols.join('|')})\\s*$`,
    '--',
    '*Kconfig*',
  ]);
  // git grep exits 1 when nothing matched: no symbol declared.
  if (r.code !== 0 && r.code !== 1)
    throw new InfraError('git grep for Kconfig declarations failed', { source, output: r.output.slice(-500) });
  return parseDeclarations(r.stdout);
}

/** The fragments with the later fragment cut to what `source` declares. */
export async function fragmentsForTree(fragments: Fragment[], source: string, exec?: Exec): Promise<Fragment[]> {
  const out: Fragment[] = [];
  for (const f of fragments) {
    if (f.name !== CXL_SIM_LATER_FRAGMENT) {
      out.push(f);
      continue;
    }
    const declared = await declaredSymbols(source, fragmentSymbols(f.text), exec);
    out.push({ ...f, text: keepDeclared(f.text, declared) });
  }
  return out;
}
