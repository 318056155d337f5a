/** Which trees `daxbot setup` prepares, from which Debian tarball. */
import { treeDebianSeries, type Config, type TreeConfig } from '../../config/schema.ts';
import { DEBIAN_KERNELS, debianTarball, debianTreeName } from '../../runners/tree/setup.ts';
import { UsageError } from '../errors.ts';

export interface SetupOptions {
  tarball?: string;
  tree?: string[];
  guest: boolean;
  json?: boolean;
}

/** A Debian tree made from its tarball, or a remote tree cloned and fetched. */
export type TreeTarget = { name: string; tarball: string } | { name: string; remote: TreeConfig };

/** The configured tree of that name, or linux-<X.Y> for a Debian series served here. */
export function setupTarget(config: Config, name: string): TreeTarget {
  const configured = config.trees.find((t) => t.name === name);
  if (configured) {
    if (configured.url) return { name, remote: configured };
    const series = treeDebianSeries(configured);
    if (!series)
      throw new UsageError(
        `tree ${name} is a repository of its own (path ${configured.path}); setup makes only Debian trees`,
      );
    return { name, tarball: debianTarball(series) };
  }
  const series = DEBIAN_KERNELS.find((s) => debianTreeName(s) === name);
  if (!series)
    throw new UsageError(
      `unknown tree ${name}: not configured, and not one of ${DEBIAN_KERNELS.map(debianTreeName).join(', ')}`,
    );
  return { name, tarball: debianTarball(series) };
}

export function setupTargets(config: Config, opts: SetupOptions): TreeTarget[] {
  // The Debian kernel trees, and the other projects' trees (an ndctl clone): series wait on them.
  const made = (t: TreeConfig): boolean => treeDebianSeries(t) !== null || (t.project !== 'kernel' && !!t.url);
  const names = opts.tree ?? config.trees.filter(made).map((t) => t.name);
  const targets = names.map((n) => setupTarget(config, n));
  if (opts.tarball) {
    if (targets.length !== 1 || (targets[0] && 'remote' in targets[0]))
      throw new UsageError('--tarball goes with exactly one Debian tree');
    return [{ name: targets[0]?.name ?? 'linux-6.1', tarball: opts.tarball }];
  }
  return targets;
}
