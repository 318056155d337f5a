/**
 * The cxl-sim runner module: Linux in QEMU (TCG) with the kernel's cxl_test simulated CXL
 * topology, built from the tree under test, and ndctl's cxl meson suite when configured. See
 * README.md in this folder.
 */
import { DAX_GUEST_PATHS } from '../guest/dax-initramfs.ts';
import { defineRunner } from '../module.ts';
import { CXL_SIM_RUNNER, cxlSimProfile } from './profile.ts';
import { createCxlSimRunner } from './runner.ts';
import { cxlSimSchema } from './schema.ts';

export const cxlSimRunner = defineRunner({
  kind: CXL_SIM_RUNNER,
  description: "Linux in QEMU (TCG) with the kernel's cxl_test simulated CXL topology and the CXL smoke suite",
  schema: cxlSimSchema,
  create: (config, deps) => createCxlSimRunner({ config, ...deps }),
  profile: (config) => ({
    ...cxlSimProfile(config),
    platform: 'simulated by cxl_test (tools/testing/cxl, built from the tested tree): the cxl_test topology',
    nvdimms: [],
  }),
  // Its guest scripts, and nfit-sim's ndctl-meson runner the cxl-meson suite hands over to.
  guestPaths: [...DAX_GUEST_PATHS, 'runners/guest/cxl-sim', 'runners/guest/nfit-sim'],
  // The modules come from the tested tree: only a run of this runner makes its initramfs.
  guest: "the guest, with the cxl_test modules built from the tested tree and daxbot's suites",
});
