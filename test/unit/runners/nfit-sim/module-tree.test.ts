import { mkdir, mkdtemp, readlink, rm, writeFile, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { kernelVersion, MIRROR_DIR, needsMirror, prepareModuleTree } from '../../../../runners/nfit-sim/module-tree.ts';

async function fakeTree(dir: string, version: string): Promise<void> {
  const [major, minor] = version.split('.');
  await writeFile(path.join(dir, 'Makefile'), `# SPDX\nVERSION = ${major}\nPATCHLEVEL = ${minor}\nSUBLEVEL = 0\n`);
  for (const d of ['tools/testing/nvdimm/test', 'drivers/nvdimm', 'drivers/acpi/nfit', 'drivers/dax/pmem'])
    await mkdir(path.join(dir, d), { recursive: true });
  await writeFile(path.join(dir, 'tools/testing/nvdimm/Kbuild'), 'obj-m += test/\n');
  await writeFile(path.join(dir, 'tools/testing/nvdimm/test/nfit.c'), '');
  await writeFile(path.join(dir, 'drivers/nvdimm/core.c'), '');
  await writeFile(path.join(dir, 'drivers/nvdimm/nd.h'), '');
  await writeFile(path.join(dir, 'drivers/dax/pmem/core.c'), '');
}

describe('the nfit_test module build folder', () => {
  it('reads the kernel version and mirrors from 6.10 on', () => {
    expect(kernelVersion('VERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 118\n')).toEqual({ major: 6, minor: 12 });
    expect(kernelVersion('nothing')).toBeNull();
    expect(needsMirror({ major: 6, minor: 1 })).toBe(false);
    expect(needsMirror({ major: 6, minor: 9 })).toBe(false);
    expect(needsMirror({ major: 6, minor: 10 })).toBe(true);
    expect(needsMirror({ major: 7, minor: 0 })).toBe(true);
    expect(needsMirror(null)).toBe(false);
  });

  it('builds 6.1 with M= relative to the source tree', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'daxbot-modtree-'));
    await fakeTree(dir, '6.1');
    expect(await prepareModuleTree(dir, path.join(dir, 'build'))).toEqual({
      makeDir: 'tools/testing/nvdimm',
      root: path.join(dir, 'build'),
    });
    await rm(dir, { recursive: true, force: true });
  });

  it("mirrors a 6.12 tree's folders as links in the build folder and follows files a series adds or removes", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'daxbot-modtree-'));
    const src = path.join(dir, 'src');
    const build = path.join(dir, 'build');
    await mkdir(src);
    await fakeTree(src, '6.12');
    const t = await prepareModuleTree(src, build);
    const root = path.join(build, MIRROR_DIR);
    expect(t).toEqual({ makeDir: path.join(root, 'tools/testing/nvdimm'), root });
    expect(await readlink(path.join(root, 'drivers/nvdimm/core.c'))).toBe(path.join(src, 'drivers/nvdimm/core.c'));
    expect(await readlink(path.join(root, 'drivers/dax/pmem/core.c'))).toBe(path.join(src, 'drivers/dax/pmem/core.c'));
    expect(await readlink(path.join(root, 'tools/testing/nvdimm/test/nfit.c'))).toBe(
      path.join(src, 'tools/testing/nvdimm/test/nfit.c'),
    );
    // An object make wrote, a file the series added and one it removed.
    await writeFile(path.join(root, 'drivers/nvdimm/core.o'), 'obj');
    await writeFile(path.join(src, 'drivers/nvdimm/new.c'), '');
    await rm(path.join(src, 'drivers/nvdimm/nd.h'));
    await prepareModuleTree(src, build);
    expect((await readdir(path.join(root, 'drivers/nvdimm'))).sort()).toEqual(['core.c', 'core.o', 'new.c']);
    await rm(dir, { recursive: true, force: true });
  });
});
