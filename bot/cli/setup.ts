/**
 * `daxbot setup`: prepares everything the runners cache: the kernel trees made from Debian's
 * linux-source packages (git repositories, tagged), the guest helpers and the initramfs.
 * Idempotent. Without `--tree` it prepares every configured tree that has no `path`.
 */
import type { Command } from 'commander';
import type { LinuxTree } from '../../runners/tree/setup.ts';
import type { CliContext } from './context.ts';
import { jsonLine } from './output.ts';
import type { SetupOptions } from './setup-targets.ts';

export function registerSetupCommand(program: Command, ctx: CliContext): void {
  program
    .command('setup')
    .description('prepare the cached kernel trees, guest helpers and initramfs (idempotent)')
    .option('--tree <name...>', 'only these trees (a configured name, or linux-6.1 / linux-6.12)')
    .option('--tarball <path>', 'kernel source tarball (with one tree)')
    .option('--no-guest', 'skip the guest helpers and initramfs')
    .option('--json', 'print the result as JSON')
    .action(async (opts: SetupOptions) => {
      const { ensureLinuxTree, resolveCacheDir } = await import('../../runners/tree/setup.ts');
      const { daxInitramfs } = await import('../../runners/guest/dax-initramfs.ts');
      const { setupTargets } = await import('./setup-targets.ts');
      const config = await ctx.config();
      const cacheDir = resolveCacheDir(ctx.repoRoot, ctx.env, config.cacheDir);
      const trees: LinuxTree[] = [];
      for (const t of setupTargets(config, opts))
        trees.push(await ensureLinuxTree(cacheDir, ctx.log, { tarball: t.tarball, name: t.name }));
      const initramfs = opts.guest ? await daxInitramfs(ctx.repoRoot, cacheDir) : null;
      const first = trees[0];
      if (opts.json) {
        const rows = trees.map((t) => ({ tree: t.path, tag: t.tag, commit: t.commit, created: t.created }));
        ctx.out(
          jsonLine({
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
