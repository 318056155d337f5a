/** Which trees `daxbot setup` prepares, from which Debian tarball. */
import { treeDebianSeries, type Config } from '../../config/schema.ts';
import { DEBIAN_KERNELS, debianTarball, debianTreeName } from '../../runners/tree/setup.ts';
import { UsageError } from '../errors.ts';

export interface SetupOptions {
  tarball?: string;
  tree?: string[];
  guest: boolean;
  json?: boolean;
}

export interface TreeTarget {
  name: string;
  tarball: string;
}

/** The configured tree of that name, or linux-<X.Y> for a Debian series served here. */
export function setupTarget(config: Config, name: string): TreeTarget {
  const configured = config.trees.find((t) => t.name === name);
  if (configured) {
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
  const names = opts.tree ?? config.trees.filter((t) => treeDebianSeries(t) !== null).map((t) => t.name);
  const targets = names.map((n) => setupTarget(config, n));
  if (opts.tarball) {
    if (targets.length !== 1) throw new UsageError('--tarball goes with exactly one tree');
    return [{ name: targets[0]?.name ?? 'linux-6.1', tarball: opts.tarball }];
  }
  return targets;
}
