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

export interface SimulatorGuest {
  /** The guest scripts' folder in the repository. */
  scripts: string;
  /** Where the guest finds them and the modules, e.g. /daxbot/nfit-sim. */
  guestDir: string;
  /** The suite whose script is `suite.sh`. */
  suite: string;
  /** Further scripts of the folder, copied next to load-modules.sh. */
  extraScripts?: string[];
}

/**
 * A simulator's initramfs files (its suite, module loader and scripts, the modules and their load
 * order); writes the order file into `stagingDir` (the run's work folder), since the initramfs
 * builder copies host files.
 */
export async function simulatorGuestFiles(
  g: SimulatorGuest,
  modules: BuiltModule[],
  stagingDir: string,
): Promise<InitramfsFile[]> {
  await mkdir(stagingDir, { recursive: true });
  const order = path.join(stagingDir, 'modules.order');
  await writeFile(order, moduleOrderText(modules, g.guestDir));
  const script = (name: string, dest: string): InitramfsFile => ({
    source: path.join(g.scripts, name),
    dest,
    mode: 0o755,
  });
  return [
    script('suite.sh', `/daxbot/suites/${g.suite}.sh`),
    script('load-modules.sh', `${g.guestDir}/load-modules.sh`),
    ...(g.extraScripts ?? []).map((name) => script(name, `${g.guestDir}/${name}`)),
    { source: order, dest: `${g.guestDir}/modules.order`, mode: 0o644 },
    ...modules.map((m) => ({ source: m.path, dest: `${g.guestDir}/modules/${m.name}.ko`, mode: 0o644 })),
  ];
}

/** nfit_test's initramfs files (simulatorGuestFiles), with the broken-DIMM script. */
export function nfitGuestFiles(repoRoot: string, modules: BuiltModule[], stagingDir: string): Promise<InitramfsFile[]> {
  const guest = { scripts: nfitGuestScripts(repoRoot), guestDir: GUEST_DIR, suite: NFIT_SIM_SUITE };
  return simulatorGuestFiles({ ...guest, extraScripts: ['broken-dimms.sh'] }, modules, stagingDir);
}
