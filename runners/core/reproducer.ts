/**
 * The runner side of a reply's reproducer: what the initramfs of the rewritten QEMU command is
 * and how a reader makes it, one sentence per runner module (RunnerModule.reproducer). The bot's
 * reproducer (bot/report/reproduce.ts) renames the recorded initrd to LOCAL_INITRD and prints
 * the module's sentence.
 */

/** The name the rewritten command gives the initramfs. */
export const LOCAL_INITRD = 'initramfs.cpio.gz';

/** For a runner whose initramfs is the one `daxbot setup` builds (nothing from the tested tree). */
export function setupInitrdNote(): string {
  return `${LOCAL_INITRD}: in a daxbot checkout, "daxbot setup" builds the guest's initramfs and prints its path ("initramfs: ..."); copy that file here.`;
}

/** For a runner that adds files built from the tested tree: only a run of that runner makes it. */
export function runnerRunInitrdNote(runner: string, base: string): string {
  return `${LOCAL_INITRD} is daxbot's guest plus what the ${runner} runner builds from this tree; in a daxbot checkout, "daxbot runner run --runner ${runner} --tree <this tree> --base ${base.slice(0, 12)} --mbox <the series>" builds it and repeats the whole run.`;
}
