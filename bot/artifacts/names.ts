/**
 * The artifacts kept of each run, by the stable names their URLs use
 * (`/runs/<no>/artifacts/<name>`, linked from replies' reproducers): what each is, how it is
 * served, and where a RunResult says the runner left it.
 */
import path from 'node:path';
import type { RunResult } from '../../runners/types.ts';

export const ARTIFACT_NAMES = [
  'config',
  'console.log',
  'build.log',
  'bzImage',
  'vmlinux',
  'initramfs.cpio.gz',
] as const;
export type ArtifactName = (typeof ARTIFACT_NAMES)[number];

export interface ArtifactKind {
  name: ArtifactName;
  /** In words, for the run page. */
  title: string;
  /** Text is shown inline (as text/plain); binaries are downloads. */
  text: boolean;
  /** The file name a download is saved as. */
  saveAs: string;
}

export const ARTIFACT_KINDS: Record<ArtifactName, ArtifactKind> = {
  config: { name: 'config', title: 'the full kernel .config', text: true, saveAs: '.config' },
  'console.log': { name: 'console.log', title: 'the guest console log', text: true, saveAs: 'console.log' },
  'build.log': { name: 'build.log', title: 'the build log', text: true, saveAs: 'build.log' },
  bzImage: { name: 'bzImage', title: 'the kernel image booted', text: false, saveAs: 'bzImage' },
  vmlinux: { name: 'vmlinux', title: 'vmlinux, for symbolizing traces', text: false, saveAs: 'vmlinux' },
  'initramfs.cpio.gz': {
    name: 'initramfs.cpio.gz',
    title: 'the guest initramfs booted',
    text: false,
    saveAs: 'initramfs.cpio.gz',
  },
};

export function isArtifactName(text: string): text is ArtifactName {
  return (ARTIFACT_NAMES as readonly string[]).includes(text);
}

export interface ArtifactSource {
  name: ArtifactName;
  /** The file the runner wrote. */
  file: string;
  /**
   * The folder the file must stay inside once symlinks are resolved: files of an untrusted build
   * are read only from its build folder, so a planted link cannot make the bot publish its own.
   */
  within: string;
}

/**
 * Where the runner left each artifact, from the RunResult's paths and the job's work folder:
 * the build folder's .config, bzImage and vmlinux; the console log the run streamed (a path;
 * text from runners that keep it in memory is written by the keeper); the work folder's build.log.
 */
export function artifactSources(result: RunResult, workDir: string): ArtifactSource[] {
  const out: ArtifactSource[] = [];
  const build = result.build;
  if (build?.buildDir) {
    out.push({ name: 'config', file: path.join(build.buildDir, '.config'), within: build.buildDir });
    if (build.bzImage) out.push({ name: 'bzImage', file: build.bzImage, within: build.buildDir });
    if (build.vmlinux) out.push({ name: 'vmlinux', file: build.vmlinux, within: build.buildDir });
  }
  if (result.consoleLog && path.isAbsolute(result.consoleLog) && !result.consoleLog.includes('\n'))
    out.push({ name: 'console.log', file: result.consoleLog, within: workDir });
  if (build) out.push({ name: 'build.log', file: path.join(workDir, 'build.log'), within: workDir });
  // The initramfs QEMU booted (the bot makes it after the build, in its cache or the work folder):
  // the reply's reproducer boots the kernel with it, with no daxbot checkout.
  const initrd = result.qemuCommand?.[result.qemuCommand.indexOf('-initrd') + 1];
  if (result.qemuCommand?.includes('-initrd') && initrd && path.isAbsolute(initrd))
    out.push({ name: 'initramfs.cpio.gz', file: initrd, within: path.dirname(initrd) });
  return out;
}
