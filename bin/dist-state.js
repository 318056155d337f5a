// Whether dist/ (the compiled CLI, scripts/build.sh) is at least as new as the TypeScript it is
// compiled from: the stamp dist/.built (written when a build succeeds, dated when it started)
// must be newer than every .ts file in the folders tsconfig.build.json includes and than the
// build configuration. A walk over the sources costs about 2 ms, so the CLI checks on every start
// and never runs code older than what is on disk.
//   node bin/dist-state.js   exits 0 when dist/ is fresh, 1 when it is missing or stale
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const STAMP = 'dist/.built';
const BUILD_INPUTS = ['tsconfig.json', 'tsconfig.build.json', 'package.json'];

function newestTs(dir, newest) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return newest;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) newest = newestTs(p, newest);
    else if (e.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/** The source folders the build compiles (tsconfig.build.json's "include"). */
export function buildFolders(root = repoRoot) {
  const config = JSON.parse(readFileSync(path.join(root, 'tsconfig.build.json'), 'utf8'));
  return Array.isArray(config.include) ? config.include.filter((f) => typeof f === 'string') : [];
}

export function distIsFresh(root = repoRoot) {
  let built;
  try {
    built = statSync(path.join(root, STAMP)).mtimeMs;
  } catch {
    return false;
  }
  let newest = 0;
  for (const f of BUILD_INPUTS) newest = Math.max(newest, statSync(path.join(root, f)).mtimeMs);
  for (const d of buildFolders(root)) newest = newestTs(path.join(root, d), newest);
  return newest < built;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url))
  process.exitCode = distIsFresh() ? 0 : 1;
