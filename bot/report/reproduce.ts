/**
 * The guest half of a reply's reproducer. The recorded QEMU command line names files on the
 * bot's machine (its build folder, cache and job folder); a reader has none of them, so the
 * command is rewritten to files they make in the kernel tree they just built, and the reply
 * says how to make each one; the runner module says what its initramfs is. Pure.
 */
import path from 'node:path';
import { LOCAL_INITRD } from '../../runners/core/reproducer.ts';
import { getRunner } from '../../runners/registry.ts';
import { shellLines, wrapProse, WIDTH } from './wrap.ts';

export interface LocalQemu {
  argv: string[];
  /** NVDIMM backing files to create: the name now used and the size exactly as QEMU gets it. */
  images: { file: string; size: string }[];
  /** The command boots an initramfs (renamed to LOCAL_INITRD). */
  initrd: boolean;
}

/** A kernel image built in the tree (`make bzImage`) is at arch/x86/boot/bzImage. */
function localKernel(file: string): string {
  const base = path.posix.basename(file);
  return base === 'bzImage' ? 'arch/x86/boot/bzImage' : base;
}

/** "memory-backend-file,id=mem0,mem-path=/x/nvdimm0.img,size=N": the path cut to its name. */
function localBackend(value: string, images: LocalQemu['images']): string {
  const parts = value.split(',');
  let file: string | null = null;
  let size: string | null = null;
  const out = parts.map((p) => {
    const eq = p.indexOf('=');
    const key = eq < 0 ? p : p.slice(0, eq);
    const v = eq < 0 ? '' : p.slice(eq + 1);
    if (key === 'mem-path') {
      file = path.posix.basename(v);
      return `mem-path=${file}`;
    }
    if (key === 'size') size = v;
    return p;
  });
  if (file !== null && size !== null) images.push({ file, size });
  return out.join(',');
}

export function localQemuCommand(argv: readonly string[]): LocalQemu {
  const out: string[] = [];
  const images: LocalQemu['images'] = [];
  let initrd = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    const next = argv[i + 1];
    if (next !== undefined && a === '-kernel') {
      out.push(a, localKernel(next));
      i++;
    } else if (next !== undefined && a === '-initrd') {
      out.push(a, LOCAL_INITRD);
      initrd = true;
      i++;
    } else if (next !== undefined && a === '-object' && next.startsWith('memory-backend-file,')) {
      out.push(a, localBackend(next, images));
      i++;
    } else out.push(a);
  }
  return { argv: out, images, initrd };
}

function comment(text: string): string[] {
  return wrapProse(text, '  # ', WIDTH, '  # ');
}

/**
 * What the initramfs is and how to make it: the runner module's own sentence. A runner no longer
 * configured (or registered) is named by nothing more than the run that built its guest.
 */
function initrdNote(runnerKind: string | undefined, base: string): string {
  const mod = runnerKind === undefined ? undefined : getRunner(runnerKind);
  if (mod) return mod.reproducer({ base });
  return `${LOCAL_INITRD} is the guest daxbot built for this run; a daxbot run of the same runner on this tree and base builds it again.`;
}

/** How to make the files the rewritten command boots with (the initramfs, the NVDIMM files). */
export function guestSteps(q: LocalQemu, o: { runnerKind?: string; base: string }): string[] {
  const lines: string[] = [];
  if (q.initrd) lines.push(...comment(initrdNote(o.runnerKind, o.base)));
  if (q.images.length > 0) {
    lines.push(...comment('Each NVDIMM is backed by a sparse file of the size QEMU is given:'));
    for (const img of q.images) lines.push(...shellLines(['truncate', '-s', img.size, img.file]));
  }
  return lines;
}
