/**
 * Where `make M=` builds a simulator's test modules (nfit_test's by default, cxl_test's
 * too). Up to Linux 6.9, kbuild looks an external
 * module's sources up under $(srctree) and writes its objects under O=, so
 * `M=tools/testing/nvdimm` works with a read-only source tree. From 6.10 on ("kbuild: use $(src)
 * instead of $(srctree)/$(src) for source directory"), an external module's sources and objects
 * are both in the M= folder itself, which would write into the read-only slot. For those trees a
 * mirror of the folders the test build uses (tools/testing/nvdimm and the drivers its Kbuild
 * reaches with ../../../drivers) is kept in the build folder: directories made there, every file
 * a symbolic link to the slot's, refreshed before each build so a series' added or removed files
 * are seen, and the objects written beside the links.
 */
import { existsSync } from 'node:fs';
import { lstat, mkdir, readdir, readFile, readlink, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { NFIT_TEST_MAKE_DIR } from './profile.ts';

/** The source folders the test build compiles from (its Kbuild's DRIVERS paths and itself). */
export const MIRRORED_DIRS = [NFIT_TEST_MAKE_DIR, 'drivers/nvdimm', 'drivers/acpi/nfit', 'drivers/dax'];

/** The mirror's folder inside the build folder. */
export const MIRROR_DIR = 'nfit-test-src';

/** "6.12" from a top-level Makefile's VERSION and PATCHLEVEL lines, or null (pure). */
export function kernelVersion(makefile: string): { major: number; minor: number } | null {
  const major = /^VERSION\s*=\s*(\d+)/m.exec(makefile)?.[1];
  const minor = /^PATCHLEVEL\s*=\s*(\d+)/m.exec(makefile)?.[1];
  return major && minor ? { major: Number(major), minor: Number(minor) } : null;
}

/** Whether kbuild builds external modules inside the M= folder (6.10 and later; pure). */
export function needsMirror(v: { major: number; minor: number } | null): boolean {
  return v !== null && (v.major > 6 || (v.major === 6 && v.minor >= 10));
}

/** Which folders a simulator's test build mirrors, and where (nfit_test's by default). */
export interface MirrorSpec {
  /** The test build's folder (tools/testing/...), the M= value before 6.10. */
  makeDir: string;
  /** The source folders its Kbuild compiles from, itself included. */
  dirs: string[];
  /** The mirror's folder inside the build folder. */
  mirrorDir: string;
}

const NFIT_MIRROR: MirrorSpec = { makeDir: NFIT_TEST_MAKE_DIR, dirs: MIRRORED_DIRS, mirrorDir: MIRROR_DIR };

export interface ModuleTree {
  /** The M= value. */
  makeDir: string;
  /** The folder the module paths (NFIT_TEST_MODULES[].file) are relative to. */
  root: string;
}

/** Links every file of `src` under `dest`, and drops links whose file is gone. */
async function mirror(src: string, dest: string): Promise<void> {
  await mkdir(dest, { recursive: true });
  const want = new Map((await readdir(src, { withFileTypes: true })).map((e) => [e.name, e]));
  for (const name of await readdir(dest)) {
    const p = path.join(dest, name);
    const st = await lstat(p);
    // Only our links are removed; make's outputs (objects, .cmd files) stay for incremental builds.
    if (st.isSymbolicLink() && (!want.has(name) || (await readlink(p)) !== path.join(src, name))) await rm(p);
  }
  for (const [name, e] of want) {
    const s = path.join(src, name);
    const d = path.join(dest, name);
    if (e.isDirectory()) await mirror(s, d);
    else if (!existsSync(d)) await symlink(s, d);
  }
}

/**
 * The M= folder for `source` built into `buildDir`: the source-relative folder on trees before
 * 6.10, else the refreshed mirror in the build folder.
 */
export async function prepareModuleTree(
  source: string,
  buildDir: string,
  spec: MirrorSpec = NFIT_MIRROR,
): Promise<ModuleTree> {
  const makefile = path.join(source, 'Makefile');
  const version = existsSync(makefile) ? kernelVersion(await readFile(makefile, 'utf8')) : null;
  if (!needsMirror(version)) return { makeDir: spec.makeDir, root: buildDir };
  const root = path.join(buildDir, spec.mirrorDir);
  for (const dir of spec.dirs) await mirror(path.join(source, dir), path.join(root, dir));
  return { makeDir: path.join(root, spec.makeDir), root };
}
