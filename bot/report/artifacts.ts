/**
 * A run's files, as the dashboard serves them (`<dashboardUrl>/runs/<id>/artifacts/<name>`) and
 * a reply's reproducer downloads them: the name each goes by, and where the run left it on the
 * bot's machine. The names: `config` (the full .config), `build.log`, `bzImage`, `vmlinux`,
 * `console.log`, `initramfs.cpio.gz` (the -initrd QEMU booted), and each disk QEMU was given
 * (`-drive file=`) by its file name. The disks of the runners that boot a root filesystem are overlays
 * on a cached image: whoever serves one serves it whole (`qemu-img convert`), since the reader
 * has no backing file. NVDIMM backing files are not files to fetch: they start empty, and the
 * reproducer makes them with `truncate`. Pure: read from the run's record.
 */
import path from 'node:path';

export const ARTIFACT = {
  config: 'config',
  kernel: 'bzImage',
  vmlinux: 'vmlinux',
  initramfs: 'initramfs.cpio.gz',
  console: 'console.log',
  buildLog: 'build.log',
} as const;

/** What the artifacts are read from (the recorded RunResult's fields). */
export interface ArtifactRun {
  qemuCommand?: string[] | undefined;
  consoleLog?: string | null | undefined;
  build?: { ok: boolean; buildDir: string; bzImage?: string | undefined; vmlinux?: string | undefined } | null;
}

export interface RunArtifact {
  name: string;
  /**
   * Where the run left it on the bot's machine; null for what is not in the record: the console
   * (kept as text) and the build log (in the job's folder).
   */
  path: string | null;
}

export interface LocalQemu {
  /** The command with every host file replaced by its artifact name. */
  argv: string[];
  /** NVDIMM backing files to create: the name now used and the size exactly as QEMU gets it. */
  images: { file: string; size: string }[];
  /** The files QEMU reads, by artifact name, and where the run had them. */
  files: { name: string; path: string }[];
}

/** "memory-backend-file,id=mem0,mem-path=/x/nvdimm0.img,size=N": the path cut to its name. */
function localBackend(value: string, images: LocalQemu['images']): string {
  let file: string | null = null;
  let size: string | null = null;
  const out = value.split(',').map((p) => {
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

/** "file=/x/disks/root.qcow2,format=qcow2,...": the disk by its file name. */
function localDrive(value: string, files: LocalQemu['files']): string {
  return value
    .split(',')
    .map((p) => {
      if (!p.startsWith('file=')) return p;
      const host = p.slice('file='.length);
      const name = path.posix.basename(host);
      files.push({ name, path: host });
      return `file=${name}`;
    })
    .join(',');
}

/** The recorded QEMU command line with the bot's paths replaced by artifact names. */
export function localQemuCommand(argv: readonly string[]): LocalQemu {
  const out: string[] = [];
  const images: LocalQemu['images'] = [];
  const files: LocalQemu['files'] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    const next = argv[i + 1];
    if (next === undefined) out.push(a);
    else if (a === '-kernel' || a === '-initrd') {
      const name = a === '-kernel' ? ARTIFACT.kernel : ARTIFACT.initramfs;
      files.push({ name, path: next });
      out.push(a, name);
      i++;
    } else if (a === '-object' && next.startsWith('memory-backend-file,')) {
      out.push(a, localBackend(next, images));
      i++;
    } else if (a === '-drive') {
      out.push(a, localDrive(next, files));
      i++;
    } else out.push(a);
  }
  return { argv: out, images, files };
}

/** Every file of a run a reader can fetch, in the order a reply lists them. */
export function runArtifacts(run: ArtifactRun): RunArtifact[] {
  const out: RunArtifact[] = [];
  const b = run.build;
  if (b) out.push({ name: ARTIFACT.config, path: path.join(b.buildDir, '.config') });
  // make's output, which the runner writes in the job's folder (the dashboard keeps it from there).
  if (b) out.push({ name: ARTIFACT.buildLog, path: null });
  if (b?.ok && b.bzImage) out.push({ name: ARTIFACT.kernel, path: b.bzImage });
  if (b?.ok && b.vmlinux) out.push({ name: ARTIFACT.vmlinux, path: b.vmlinux });
  for (const f of run.qemuCommand ? localQemuCommand(run.qemuCommand).files : [])
    if (!out.some((o) => o.name === f.name)) out.push(f);
  if (run.consoleLog) out.push({ name: ARTIFACT.console, path: null });
  return out;
}

/** `<dashboardUrl>/runs/<id>/artifacts`: a run's files are `<that>/<name>`. */
export function artifactsUrl(dashboardUrl: string, runId: number): string {
  return `${dashboardUrl.replace(/\/+$/, '')}/runs/${runId}/artifacts`;
}
