/**
 * What the nfit-sim runner adds to the harness's DAX initramfs: its suite (as
 * /daxbot/suites/nfit-sim.sh, which the guest init runs), the module loader, the broken-DIMM
 * check, the test build's modules and the load-order file. The order file is written by the host from NFIT_TEST_MODULES
 * so the order has one source of truth.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { InitramfsFile } from '../guest/initramfs.ts';
import type { BuiltModule } from './build.ts';
import { GUEST_DIR, NFIT_SIM_SUITE } from './profile.ts';

/** "name /daxbot/nfit-sim/modules/name.ko" lines (under `dir`), in load order (pure). */
export function moduleOrderText(modules: Pick<BuiltModule, 'name'>[], dir: string = GUEST_DIR): string {
  return modules.map((m) => `${m.name} ${dir}/modules/${m.name}.ko`).join('\n') + '\n';
}

/** The guest scripts' folder in the repository. */
export function nfitGuestScripts(repoRoot: string): string {
  return path.join(repoRoot, 'runners', 'guest', 'nfit-sim');
}

/**
 * The initramfs files; writes the order file into `stagingDir` (the run's work folder), since
 * the initramfs builder copies host files.
 */
export async function nfitGuestFiles(
  repoRoot: string,
  modules: BuiltModule[],
  stagingDir: string,
): Promise<InitramfsFile[]> {
  await mkdir(stagingDir, { recursive: true });
  const order = path.join(stagingDir, 'modules.order');
  await writeFile(order, moduleOrderText(modules));
  const scripts = nfitGuestScripts(repoRoot);
  return [
    { source: path.join(scripts, 'suite.sh'), dest: `/daxbot/suites/${NFIT_SIM_SUITE}.sh`, mode: 0o755 },
    { source: path.join(scripts, 'load-modules.sh'), dest: `${GUEST_DIR}/load-modules.sh`, mode: 0o755 },
    { source: path.join(scripts, 'broken-dimms.sh'), dest: `${GUEST_DIR}/broken-dimms.sh`, mode: 0o755 },
    { source: order, dest: `${GUEST_DIR}/modules.order`, mode: 0o644 },
    ...modules.map((m) => ({ source: m.path, dest: `${GUEST_DIR}/modules/${m.name}.ko`, mode: 0o644 })),
  ];
}
