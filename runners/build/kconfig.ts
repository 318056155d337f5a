/**
 * Kernel configuration: fragments from config/kernel/*.config merged onto tinyconfig. Pure helpers
 * here (hashing, parsing, checking); the make calls live in make.ts.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../../config/errors.ts';

export interface Fragment {
  name: string;
  path: string;
  text: string;
}

/** The base every fragment list is merged onto; part of the config hash. */
export const KCONFIG_BASE = 'tinyconfig';

/** A fragment name ("pmem" → <repo>/config/kernel/pmem.config) or path, as a file path. */
export function fragmentPath(name: string, repoRoot: string): string {
  return name.includes('/') || name.endsWith('.config')
    ? path.resolve(repoRoot, name)
    : path.join(repoRoot, 'config', 'kernel', `${name}.config`);
}

/** Resolves fragment names or paths (fragmentPath), and reads them. */
export async function loadFragments(names: string[], repoRoot: string): Promise<Fragment[]> {
  const out: Fragment[] = [];
  for (const name of names) {
    const p = fragmentPath(name, repoRoot);
    if (!existsSync(p)) throw new ConfigError(`kernel config fragment ${name} not found`, { name, path: p });
    out.push({ name: path.basename(p, '.config'), path: p, text: await readFile(p, 'utf8') });
  }
  return out;
}

/** A short stable hash of the base and the fragments' contents (order matters: later wins). */
export function configHash(fragments: Pick<Fragment, 'text'>[], base = KCONFIG_BASE): string {
  const h = createHash('sha256').update(`base:${base}\n`);
  for (const f of fragments) h.update(`fragment:${f.text.length}\n`).update(f.text);
  return h.digest('hex').slice(0, 12);
}

export type KconfigValue = string | null;

/** Parses .config or fragment text: "CONFIG_X=y" → X:'y', "# CONFIG_X is not set" → X:null. */
export function parseKconfig(text: string): Map<string, KconfigValue> {
  const out = new Map<string, KconfigValue>();
  for (const line of text.split('\n')) {
    const set = /^CONFIG_([A-Za-z0-9_]+)=(.*)$/.exec(line.trim());
    if (set?.[1] !== undefined) {
      out.set(set[1], set[2] ?? '');
      continue;
    }
    const unset = /^# CONFIG_([A-Za-z0-9_]+) is not set$/.exec(line.trim());
    if (unset?.[1] !== undefined) out.set(unset[1], null);
  }
  return out;
}

export interface ConfigMismatch {
  symbol: string;
  wanted: KconfigValue;
  actual: KconfigValue;
}

/**
 * Which wanted symbols did not survive `make olddefconfig` (a missing dependency silently drops
 * them). A wanted "n" is satisfied by an absent symbol.
 */
export function checkWantedSymbols(fragments: Pick<Fragment, 'text'>[], finalConfig: string): ConfigMismatch[] {
  const wanted = new Map<string, KconfigValue>();
  for (const f of fragments) for (const [k, v] of parseKconfig(f.text)) wanted.set(k, v);
  const actual = parseKconfig(finalConfig);
  const bad: ConfigMismatch[] = [];
  for (const [symbol, value] of wanted) {
    const got = actual.get(symbol) ?? null;
    const norm = (v: KconfigValue): KconfigValue => (v === 'n' ? null : v);
    if (norm(got) !== norm(value)) bad.push({ symbol, wanted: value, actual: got });
  }
  return bad;
}

/** The symbols a Kconfig file's text defines ("config X", "menuconfig X"; pure). */
export function kconfigDefines(text: string): Set<string> {
  return new Set([...text.matchAll(/^\s*(?:menu)?config\s+(\w+)\s*$/gm)].map((m) => m[1] ?? ''));
}

/**
 * Which of `symbols` some Kconfig file of the tree at `source` defines. A fragment may name a
 * symbol that only newer trees have (NVDIMM_SECURITY_TEST since 6.2): in a tree without it,
 * its absence from .config is expected, not a dependency that dropped it. Read-only file walk.
 */
export async function treeDefines(source: string, symbols: string[]): Promise<Set<string>> {
  const want = new Set(symbols);
  const found = new Set<string>();
  const walk = async (dir: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      if (found.size === want.size) return;
      const p = path.join(dir, e.name);
      if (e.isDirectory() && !e.name.startsWith('.')) await walk(p);
      else if (e.isFile() && e.name.startsWith('Kconfig'))
        for (const d of kconfigDefines(await readFile(p, 'utf8'))) if (want.has(d)) found.add(d);
    }
  };
  // A tree that cannot be read keeps every mismatch an error.
  if (!existsSync(source)) return want;
  if (want.size > 0) await walk(source);
  return found;
}
