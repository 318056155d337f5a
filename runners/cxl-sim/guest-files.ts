/**
 * What the cxl-sim runner adds to the harness's DAX initramfs: the `cxl` and `jq` binaries (Debian's
 * ndctl package's cxl tool, which the smoke suite drives), its suite (as /daxbot/suites/cxl-sim.sh,
 * which the guest init runs), the module loader, the build's modules and the load-order file. The
 * host writes the order file from CXL_TEST_MODULES, so the order has one source of truth.
 */
import path from 'node:path';
import type { InitramfsFile } from '../guest/initramfs.ts';
import { DEFAULT_GUEST_BINARIES } from '../guest/initramfs.ts';
import type { BuiltModule } from '../nfit-sim/build.ts';
import { moduleOrderText, simulatorGuestFiles } from '../nfit-sim/guest-files.ts';
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

/** cxl_test's initramfs files (nfit-sim's simulatorGuestFiles). */
export function cxlGuestFiles(repoRoot: string, modules: BuiltModule[], stagingDir: string): Promise<InitramfsFile[]> {
  const guest = { scripts: cxlGuestScripts(repoRoot), guestDir: CXL_GUEST_DIR, suite: CXL_SIM_SUITE };
  return simulatorGuestFiles(guest, modules, stagingDir);
}
