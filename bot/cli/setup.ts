/**
 * `daxbot setup`: prepares everything the runners cache — the kernel tree from Debian's
 * linux-source-6.1 (a git repo, tagged), the guest helpers and the initramfs. Idempotent.
 */
import type { Command } from 'commander';
import { resolveCacheDir, ensureLinuxTree, DEFAULT_LINUX_TARBALL } from '../../runners/tree/setup.ts';
import { daxInitramfs } from '../../runners/guest/dax-initramfs.ts';
import type { CliContext } from './context.ts';

export function registerSetupCommand(program: Command, ctx: CliContext): void {
  program
    .command('setup')
    .description('prepare the cached kernel tree, guest helpers and initramfs (idempotent)')
    .option('--tarball <path>', 'kernel source tarball', DEFAULT_LINUX_TARBALL)
    .option('--no-guest', 'skip the guest helpers and initramfs')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { tarball: string; guest: boolean; json?: boolean }) => {
      const cacheDir = resolveCacheDir(ctx.repoRoot, ctx.env, ctx.config().cacheDir);
      const tree = await ensureLinuxTree(cacheDir, ctx.log, { tarball: opts.tarball });
      const initramfs = opts.guest ? await daxInitramfs(ctx.repoRoot, cacheDir) : null;
      const result = { cacheDir, tree: tree.path, tag: tree.tag, commit: tree.commit, created: tree.created, initramfs };
      if (opts.json) ctx.out(JSON.stringify(result));
      else {
        ctx.out(`kernel tree: ${tree.path} (${tree.tag} = ${tree.commit})${tree.created ? ' [created]' : ' [cached]'}`);
        if (initramfs) ctx.out(`initramfs:   ${initramfs}`);
      }
    });
}
