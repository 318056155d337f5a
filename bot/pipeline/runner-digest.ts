/**
 * What a cached baseline depends on besides the tree commit: the runner's settings, the text of
 * the Kconfig fragments it really uses, and the guest side it runs (init, suites, helpers).
 * Editing config/kernel/pmem.config or a suite script must not reuse baselines made before:
 * a series would be compared with a base that ran other tests on another kernel config.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../config/repo-root.ts';
import type { RunnerConfig } from '../../config/schema.ts';
import { fragmentPath } from '../../runners/build/kconfig.ts';
import { runnerProfile } from '../../runners/registry.ts';

const codeRoot = repoRoot;
const GUEST_DIRS = [
  'runners/guest/suites',
  'runners/guest/helpers',
  'runners/guest/nfit-sim',
  'runners/guest/fstests',
  'runners/guest/cxl-sim',
  'runners/guest/init.sh',
];

function files(p: string): string[] {
  if (!existsSync(p)) return [];
  if (!statSync(p).isDirectory()) return [p];
  return readdirSync(p)
    .sort()
    .flatMap((e) => files(path.join(p, e)));
}

let guestDigest: string | null = null;
/** The guest side is the code's own: read once per process. */
function guestFilesDigest(root: string): string {
  if (guestDigest !== null && root === codeRoot) return guestDigest;
  const h = createHash('sha256');
  for (const f of GUEST_DIRS.flatMap((d) => files(path.join(root, d))))
    h.update(`${path.relative(root, f)}\n`).update(readFileSync(f));
  const d = h.digest('hex');
  if (root === codeRoot) guestDigest = d;
  return d;
}

/** A short stable hash of everything a baseline run of this runner depends on but the tree. */
export function runnerConfigHash(rc: RunnerConfig, root: string = codeRoot): string {
  const { name: _n, enabled: _e, ...rest } = rc;
  const h = createHash('sha256').update(JSON.stringify(rest));
  for (const f of runnerProfile(rc).fragments) {
    const p = fragmentPath(f, root);
    h.update(`\nfragment ${f}\n`).update(existsSync(p) ? readFileSync(p) : 'missing');
  }
  h.update(`\nguest ${guestFilesDigest(root)}`);
  return h.digest('hex').slice(0, 16);
}
