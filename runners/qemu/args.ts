/**
 * The QEMU command line for a pmem guest (pure). NVDIMMs are file-backed memory with a label
 * area: measured, a backend of exactly 1 GiB is refused as misaligned once the label is carved
 * out, while size + label (1 GiB + 128 KiB) yields a 1 GiB region.
 */
export interface NvdimmSpec {
  sizeMiB: number;
  labelSizeKiB: number;
  /** Backing file on the host (sparse). */
  path: string;
}

export interface QemuSpec {
  qemu?: string;
  kernel: string;
  initrd: string;
  /** Extra kernel command line words (after console=ttyS0 ...). */
  append: string[];
  memoryMiB: number;
  cpus: number;
  nvdimms: NvdimmSpec[];
  /** Extra raw arguments (e.g. a virtio disk for another runner). */
  extra?: string[];
  kvm?: boolean;
}

/** Backing size in bytes of one NVDIMM: its data size plus its label area. */
export function nvdimmBackendBytes(d: Pick<NvdimmSpec, 'sizeMiB' | 'labelSizeKiB'>): number {
  return d.sizeMiB * 1024 * 1024 + d.labelSizeKiB * 1024;
}

export const BASE_APPEND = ['console=ttyS0', 'earlyprintk=serial,ttyS0', 'panic=-1', 'nokaslr', 'rdinit=/init'];

export function qemuArgs(spec: QemuSpec): string[] {
  const args: string[] = [];
  const n = spec.nvdimms.length;
  const nvMiB = spec.nvdimms.reduce((sum, d) => sum + Math.ceil(nvdimmBackendBytes(d) / (1024 * 1024)), 0);
  args.push('-machine', n > 0 ? 'pc,nvdimm=on' : 'pc');
  args.push('-accel', spec.kvm ? 'kvm' : 'tcg');
  if (spec.kvm) args.push('-cpu', 'host');
  args.push('-smp', String(spec.cpus));
  // Each DIMM's backing size is rounded up to a whole MiB plus 1 GiB of slack for alignment.
  args.push(
    '-m',
    n > 0
      ? `${spec.memoryMiB}M,slots=${Math.max(n, 1)},maxmem=${spec.memoryMiB + nvMiB + 1024 * n}M`
      : `${spec.memoryMiB}M`,
  );
  spec.nvdimms.forEach((d, i) => {
    args.push('-object', `memory-backend-file,id=mem${i},share=on,mem-path=${d.path},size=${nvdimmBackendBytes(d)}`);
    args.push('-device', `nvdimm,memdev=mem${i},id=nv${i},label-size=${d.labelSizeKiB}K`);
  });
  args.push('-nographic', '-monitor', 'none', '-serial', 'stdio', '-no-reboot', '-nodefaults');
  args.push('-kernel', spec.kernel, '-initrd', spec.initrd);
  args.push('-append', [...BASE_APPEND, ...spec.append].join(' '));
  args.push(...(spec.extra ?? []));
  return args;
}
