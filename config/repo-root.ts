/**
 * The repository root: the nearest folder above this module that holds package.json. It is the
 * same whether the code runs from its TypeScript sources (config/) or compiled into dist/
 * (dist/config/, which holds no package.json), so the files the code reads at run time (guest
 * scripts, C helpers, Kconfig fragments, config/default.yaml) are read from the repository and
 * never copied into dist/. Code that reads such a file resolves it from here, not from its own
 * `import.meta.url`.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export function findRepoRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

export const repoRoot = findRepoRoot(path.dirname(fileURLToPath(import.meta.url)));
