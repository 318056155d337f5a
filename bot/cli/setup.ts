/**
 * `daxbot setup`: prepares everything the runners cache: the kernel trees made from Debian's
 * linux-source packages (git repositories, tagged), the guest helpers and the initramfs.
 * Idempotent. Without `--tree` it prepares every configured tree that has no `path`.
 */
import type { Command } from 'commander';
import { treeDebianSeries, type Config } from '../../config/schema.ts';
import {
  DEBIAN_KERNELS,
  debianTarball,
  debianTreeName,
  ensureLinuxTree,
  resolveCacheDir,
  type LinuxTree,
} from '../../runners/tree/setup.ts';
import { daxInitramfs } from '../../runners/guest/dax-initramfs.ts';
import { UsageError } from '../errors.ts';
import type { CliContext } from './context.ts';

interface SetupOptions {
  tarball?: string;
  tree?: string[];
  guest: boolean;
  json?: boolean;
}

interface TreeTarget {
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

function setupTargets(config: Config, opts: SetupOptions): TreeTarget[] {
  const names = opts.tree ?? config.trees.filter((t) => treeDebianSeries(t) !== null).map((t) => t.name);
  const targets = names.map((n) => setupTarget(config, n));
  if (opts.tarball) {
    if (targets.length !== 1) throw new UsageError('--tarball goes with exactly one tree');
    return [{ name: targets[0]?.name ?? 'linux-6.1', tarball: opts.tarball }];
  }
  return targets;
}

export function registerSetupCommand(program: Command, ctx: CliContext): void {
  program
    .command('setup')
    .description('prepare the cached kernel trees, guest helpers and initramfs (idempotent)')
    .option('--tree <name...>', 'only these trees (a configured name, or linux-6.1 / linux-6.12)')
    .option('--tarball <path>', 'kernel source tarball (with one tree)')
    .option('--no-guest', 'skip the guest helpers and initramfs')
    .option('--json', 'print the result as JSON')
    .action(async (opts: SetupOptions) => {
      const config = ctx.config();
      const cacheDir = resolveCacheDir(ctx.repoRoot, ctx.env, config.cacheDir);
      const trees: LinuxTree[] = [];
      for (const t of setupTargets(config, opts))
        trees.push(await ensureLinuxTree(cacheDir, ctx.log, { tarball: t.tarball, name: t.name }));
      const initramfs = opts.guest ? await daxInitramfs(ctx.repoRoot, cacheDir) : null;
      const first = trees[0];
      if (opts.json) {
        const rows = trees.map((t) => ({ tree: t.path, tag: t.tag, commit: t.commit, created: t.created }));
        ctx.out(
          JSON.stringify({
            cacheDir,
            ...(first ? { tree: first.path, tag: first.tag, commit: first.commit, created: first.created } : {}),
            trees: rows,
            initramfs,
          }),
        );
        return;
      }
      for (const t of trees)
        ctx.out(`kernel tree: ${t.path} (${t.tag} = ${t.commit})${t.created ? ' [created]' : ' [cached]'}`);
      if (initramfs) ctx.out(`initramfs:   ${initramfs}`);
    });
}
