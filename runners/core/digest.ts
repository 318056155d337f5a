/**
 * The digest of what a runner runs, besides the tree commit: its settings, the text of the
 * Kconfig fragments it really uses (its profile's) and the content of its guest paths (its
 * module's guestPaths: init, suites, helpers, its own scripts). A baseline is cached under it, so
 * editing config/kernel/pmem.config or a suite script never reuses a baseline made before: a
 * series would be compared with a base that ran other tests on another kernel config.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../config/repo-root.ts';
import { fragmentPath } from '../build/kconfig.ts';
import type { RunnerConfig } from '../schema.ts';

/** The repository the code runs from: where guest paths and fragments are read by default. */
export const codeRoot = repoRoot;

function files(p: string): string[] {
  if (!existsSync(p)) return [];
  if (!statSync(p).isDirectory()) return [p];
  return readdirSync(p)
    .sort()
    .flatMap((e) => files(path.join(p, e)));
}

/** The code's own guest files do not change while it runs: each set is read once per process. */
const memo = new Map<string, string>();

/** A hash of the files under `paths` (relative to `root`, or absolute), names and contents. */
export function guestFilesDigest(paths: readonly string[], root: string = codeRoot): string {
  const key = `${root}\n${paths.join('\n')}`;
  const known = root === codeRoot ? memo.get(key) : undefined;
  if (known !== undefined) return known;
  const h = createHash('sha256');
  for (const f of paths.flatMap((d) => files(path.resolve(root, d))))
    h.update(`${path.relative(root, f)}\n`).update(readFileSync(f));
  const d = h.digest('hex');
  if (root === codeRoot) memo.set(key, d);
  return d;
}

/** A short stable hash of everything a baseline run of this runner depends on but the tree. */
export function runnerDigest(
  config: RunnerConfig,
  what: { fragments: string[]; guestPaths: readonly string[] },
  root: string = codeRoot,
): string {
  // Build limits fence hostile builds; they change no result of a good one (nor the digest).
  const { name: _n, enabled: _e, buildLimits: _b, ...rest } = config;
  const h = createHash('sha256').update(JSON.stringify(rest));
  for (const f of what.fragments) {
    const p = fragmentPath(f, root);
    h.update(`\nfragment ${f}\n`).update(existsSync(p) ? readFileSync(p) : 'missing');
  }
  h.update(`\nguest ${guestFilesDigest(what.guestPaths, root)}`);
  return h.digest('hex').slice(0, 16);
}
