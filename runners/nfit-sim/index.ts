/**
 * The nfit-sim runner module: Linux in QEMU (TCG) with the kernel's nfit_test simulated NVDIMM
 * buses, built from the tree under test, and ndctl's meson suite when configured. See README.md
 * in this folder.
 */
import { DAX_GUEST_PATHS } from '../guest/dax-initramfs.ts';
import { defineRunner } from '../module.ts';
import { NFIT_SIM_RUNNER, nfitSimProfile, NFIT_TEST_BUSES } from './profile.ts';
import { createNfitSimRunner } from './runner.ts';
import { nfitSimSchema } from './schema.ts';

export const nfitSimRunner = defineRunner({
  kind: NFIT_SIM_RUNNER,
  description: "Linux in QEMU (TCG) with the kernel's nfit_test simulated NVDIMM buses and the simulator suite",
  schema: nfitSimSchema,
  create: (config, deps) => createNfitSimRunner({ config, ...deps }),
  profile: (config) => ({
    ...nfitSimProfile(config),
    platform: `simulated by nfit_test (tools/testing/nvdimm, built from the tested tree): buses ${NFIT_TEST_BUSES.join(' and ')}`,
    nvdimms: [],
  }),
  // The simulator's scripts (suite, module loader, broken-DIMM check, the ndctl suite's runner).
  guestPaths: [...DAX_GUEST_PATHS, 'runners/guest/nfit-sim'],
  // The modules come from the tested tree: only a run of this runner makes its initramfs.
  guest: "the guest, with the nfit_test modules built from the tested tree and daxbot's suites",
});
