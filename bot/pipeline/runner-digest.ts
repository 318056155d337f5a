/**
 * What a cached baseline depends on besides the tree commit, for a configured runner: the
 * runner's own digest (runners/core/digest.ts) of its settings, its profile's fragments and its
 * module's guest paths, so a baseline made before a change to any of them is never reused.
 */
import type { RunnerConfig } from '../../config/schema.ts';
import { codeRoot, runnerDigest } from '../../runners/core/digest.ts';
import { requireRunner } from '../../runners/registry.ts';

/** A short stable hash of everything a baseline run of this runner depends on but the tree. */
export function runnerConfigHash(rc: RunnerConfig, root: string = codeRoot): string {
  const mod = requireRunner(rc.kind);
  return runnerDigest(rc, { fragments: mod.profile(rc).fragments, guestPaths: mod.guestPaths }, root);
}
