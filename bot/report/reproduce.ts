/**
 * A reply's "Reproduce locally" section: shell lines a reader runs with the run's files alone
 * (artifacts.ts), no daxbot checkout. Three blocks, each a script as printed (comments are shell
 * comments): the files and `A=` their address; booting the tested kernel and guest in an empty
 * folder with the QEMU command line as it ran (host paths replaced by the files' names, NVDIMM
 * backing files made with `truncate`); building the kernel in a clone of the tree with the
 * series applied and the run's full .config (`make O=build olddefconfig`). A build failure
 * has no boot block. Without the run's files (no run recorded), the build starts from the
 * defconfig and daxbot's fragments, named. An ndctl series is built with meson instead. Pure.
 */
import { getRunner } from '../../runners/registry.ts';
import { ARTIFACT, localQemuCommand } from './artifacts.ts';
import { optionUnits, shellLines, shellUnits, wrapProse, WIDTH } from './wrap.ts';

export interface ReproduceInput {
  /** The Message-ID b4 fetches the series by (the mail the reply answers). */
  messageId: string;
  baseCommit: string;
  /** The defconfig target and the fragments, for a reproducer without the run's .config. */
  defconfig?: string;
  configFragments: { name: string }[];
  /** The series run's QEMU command line as recorded (none for a build failure). */
  qemuCommand?: string[];
  /** The runner module ("qemu-pmem", "nfit-sim"): what its initramfs holds. */
  runnerKind?: string;
  /** The run's files: `<url>/<name>` for each name. */
  artifacts?: { url: string; names: string[] };
  /** A group reply prints each runner's command line in its part: the boot block points there. */
  qemuShownAbove?: string;
}

function describe(name: string, runnerKind: string | undefined): string {
  switch (name) {
    case ARTIFACT.config:
      return "the kernel's full .config";
    case ARTIFACT.kernel:
      return 'the kernel image';
    case ARTIFACT.vmlinux:
      return 'the kernel with symbols, to decode traces';
    case ARTIFACT.initramfs:
      return getRunner(runnerKind ?? '')?.guest ?? 'the guest daxbot booted';
    case ARTIFACT.console:
      return 'the serial console of the run';
    case ARTIFACT.buildLog:
      return runnerKind === 'ndctl' ? "meson's and ninja's output" : "make's output";
    default:
      return 'a disk of the guest';
  }
}

function comment(text: string): string[] {
  return wrapProse(text, '  # ', WIDTH, '  # ');
}

const FETCH = { raw: 'curl -fsSL' };

function filesBlock(i: ReproduceInput, a: { url: string; names: string[] }): string[] {
  const width = Math.max(...a.names.map((n) => n.length));
  const lines = comment("The run's files, each at $A/<name>:");
  for (const n of a.names)
    lines.push(
      ...wrapProse(describe(n, i.runnerKind), `  #   ${' '.repeat(width + 2)}`, WIDTH, `  #   ${n.padEnd(width + 2)}`),
    );
  lines.push(...shellLines([`A=${a.url}`]));
  return lines;
}

function bootBlock(i: ReproduceInput, qemu: string[], a: { names: string[] }): string[] {
  const q = localQemuCommand(qemu);
  const fetch = q.files.map((f) => f.name).filter((n) => a.names.includes(n));
  const lines = comment('Boot the kernel that was tested, in an empty folder:');
  if (fetch.length) lines.push(...shellLines([FETCH, ...fetch.flatMap((n) => ['-O', { raw: `"$A/${n}"` }])]));
  if (q.images.length > 0) {
    lines.push(...comment('Each NVDIMM is backed by a sparse file of the size QEMU is given:'));
    for (const img of q.images) lines.push(...shellLines(['truncate', '-s', img.size, img.file]));
  }
  if (i.qemuShownAbove) lines.push(...comment(`Then run the ${i.qemuShownAbove} QEMU command line above.`));
  else lines.push(...shellUnits(optionUnits(q.argv)));
  return lines;
}

function buildBlock(i: ReproduceInput, withConfig: boolean, booted: boolean): string[] {
  const lines = comment(
    booted
      ? `${withConfig ? 'Or build it' : 'Build it'} in a clone of the tree, with the same .config, and boot build/arch/x86/boot/bzImage the same way:`
      : 'Build it in a clone of the tree, with the same .config:',
  );
  lines.push(...shellLines(['git', 'checkout', '--detach', i.baseCommit]));
  // b4 writes the mbox to stdout with "-o -".
  lines.push(...shellLines(['b4', 'am', '-o', '-', i.messageId.replace(/^<|>$/g, ''), { raw: '|' }, 'git', 'am']));
  if (withConfig) {
    lines.push(
      ...shellLines([
        'mkdir',
        '-p',
        'build',
        { raw: '&&' },
        FETCH,
        '-o',
        'build/.config',
        { raw: `"$A/${ARTIFACT.config}"` },
      ]),
    );
    lines.push(...shellLines(['make', 'O=build', 'olddefconfig']));
  } else {
    lines.push(...shellLines(['make', 'O=build', i.defconfig ?? 'defconfig']));
    if (i.configFragments.length) {
      const files = i.configFragments.map((f) => `${f.name}.config`);
      lines.push(...comment(`${files.join(', ')}: daxbot's fragments (config/kernel/ in its sources)`));
      lines.push(...shellLines(['scripts/kconfig/merge_config.sh', '-m', '-O', 'build', 'build/.config', ...files]));
      lines.push(...shellLines(['make', 'O=build', 'olddefconfig']));
    }
  }
  lines.push('  make O=build -j$(nproc) bzImage');
  return lines;
}

/**
 * An ndctl series (runner kind ndctl): build ndctl with the series as the runner did, and run the
 * suites as ndctl's README says (as root, on a kernel with the nfit_test modules).
 */
function ndctlBuildBlock(i: ReproduceInput): string[] {
  const lines = comment('Build it in a clone of ndctl with the series applied, as daxbot did:');
  lines.push(...shellLines(['git', 'checkout', '--detach', i.baseCommit]));
  lines.push(...shellLines(['b4', 'am', '-o', '-', i.messageId.replace(/^<|>$/g, ''), { raw: '|' }, 'git', 'am']));
  lines.push(...shellLines(['meson', 'setup', 'build', '-Dtest=enabled', '-Ddocs=disabled', '-Dsystemd=disabled']));
  lines.push(...shellLines(['meson', 'compile', '-C', 'build']));
  lines.push(...comment("Then, as root on a kernel with nfit_test's modules (ndctl's README), run the suite:"));
  lines.push(...shellLines(['meson', 'test', '-C', 'build', '--suite', 'ndctl:ndctl']));
  return lines;
}

/** The section's lines (title included), with a blank line between its blocks. */
export function reproduceSection(i: ReproduceInput): string[] {
  const a = i.artifacts;
  if (i.runnerKind === 'ndctl') {
    const blocks = [...(a && a.names.length > 0 ? [filesBlock(i, a)] : []), ndctlBuildBlock(i)];
    return ['Reproduce locally', '', ...blocks.flatMap((b, k) => (k === 0 ? b : ['', ...b]))];
  }
  const withConfig = a?.names.includes(ARTIFACT.config) ?? false;
  const bootable = a !== undefined && a.names.includes(ARTIFACT.kernel) && (i.qemuCommand?.length ?? 0) > 0;
  const blocks: string[][] = [];
  if (a && a.names.length > 0) blocks.push(filesBlock(i, a));
  if (bootable && i.qemuCommand) blocks.push(bootBlock(i, i.qemuCommand, a));
  blocks.push(buildBlock(i, withConfig, bootable));
  const title = i.qemuShownAbove ? `Reproduce locally (${i.qemuShownAbove})` : 'Reproduce locally';
  return [title, '', ...blocks.flatMap((b, k) => (k === 0 ? b : ['', ...b]))];
}
