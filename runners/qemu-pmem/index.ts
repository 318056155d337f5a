/**
 * The qemu-pmem runner module: Linux in QEMU (TCG) with emulated NVDIMMs and the DAX suites.
 * See README.md in this folder.
 */
import { DAX_GUEST_PATHS } from '../guest/dax-initramfs.ts';
import { defineRunner } from '../module.ts';
import { createQemuPmemRunner } from './runner.ts';
import { QEMU_PMEM_KIND, qemuPmemSchema } from './schema.ts';

export const qemuPmemRunner = defineRunner({
  kind: QEMU_PMEM_KIND,
  description: 'Linux in QEMU (TCG) with emulated NVDIMMs and the DAX suite',
  schema: qemuPmemSchema,
  create: (config, deps) => createQemuPmemRunner({ config, ...deps }),
  profile: (config) => ({
    fragments: config.fragments,
    suites: config.suites,
    platform: 'emulated by QEMU (nvdimm=on, label-size)',
    nvdimms: config.nvdimms,
  }),
  // The DAX guest and the fstests-dax suite's scripts (run in its root filesystem).
  guestPaths: [...DAX_GUEST_PATHS, 'runners/guest/fstests'],
  // The guest is the one `daxbot setup` builds: nothing in it comes from the tested tree.
  guest: "the guest: busybox, ndctl and daxbot's test suites",
});
