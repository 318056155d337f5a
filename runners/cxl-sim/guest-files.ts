/**
 * What the cxl-sim runner adds to the harness's DAX initramfs: the `cxl` and `jq` binaries (Debian's
 * ndctl package's cxl tool, which the smoke suite drives), its suite (as /daxbot/suites/cxl-sim.sh,
 * which the guest init runs), the module loader, the build's modules and the load-order file. The
 * host writes the order file from CXL_TEST_MODULES, so the order has one source of truth.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { InitramfsFile } from '../guest/initramfs.ts';
import { DEFAULT_GUEST_BINARIES } from '../guest/initramfs.ts';
import type { BuiltModule } from '../nfit-sim/build.ts';
import { moduleOrderText } from '../nfit-sim/guest-files.ts';
import { CXL_GUEST_DIR, CXL_SIM_SUITE } from './profile.ts';

/** The DAX guest's host binaries plus the cxl tool and jq (the suite reads cxl's JSON with it). */
export const CXL_GUEST_BINARIES = [...DEFAULT_GUEST_BINARIES, '/usr/bin/cxl', '/usr/bin/jq'];

/** "name /daxbot/cxl-sim/modules/name.ko" lines, in load order (pure). */
export function cxlModuleOrderText(modules: Pick<BuiltModule, 'name'>[]): string {
  return moduleOrderText(modules, CXL_GUEST_DIR);
}

/** The guest scripts' folder in the repository. */
export function cxlGuestScripts(repoRoot: string): string {
  return path.join(repoRoot, 'runners', 'guest', 'cxl-sim');
}

/** The initramfs files; writes the order file into `stagingDir` (the initramfs builder copies host files). */
export async function cxlGuestFiles(
  repoRoot: string,
  modules: BuiltModule[],
  stagingDir: string,
): Promise<InitramfsFile[]> {
  await mkdir(stagingDir, { recursive: true });
  const order = path.join(stagingDir, 'modules.order');
  await writeFile(order, cxlModuleOrderText(modules));
  const scripts = cxlGuestScripts(repoRoot);
  return [
    { source: path.join(scripts, 'suite.sh'), dest: `/daxbot/suites/${CXL_SIM_SUITE}.sh`, mode: 0o755 },
    { source: path.join(scripts, 'load-modules.sh'), dest: `${CXL_GUEST_DIR}/load-modules.sh`, mode: 0o755 },
    { source: order, dest: `${CXL_GUEST_DIR}/modules.order`, mode: 0o644 },
    ...modules.map((m) => ({ source: m.path, dest: `${CXL_GUEST_DIR}/modules/${m.name}.ko`, mode: 0o644 })),
  ];
}
