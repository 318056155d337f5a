/**
 * The qemu-pmem runner's configuration: the common runner keys (runners/schema.ts) with the
 * pmem fragment and the dax suite as defaults, the emulated NVDIMMs it boots with, and the
 * fstests-dax suite's keys.
 */
import { z } from 'zod';
import { runnerSchemaFor } from '../schema.ts';
import { fstestsConfigShape } from './fstests-config.ts';

export const QEMU_PMEM_KIND = 'qemu-pmem';

export const nvdimmSchema = z
  .object({
    /** Size of each emulated NVDIMM in MiB (the backend adds the label area). */
    sizeMiB: z.number().int().positive().default(1024),
    labelSizeKiB: z.number().int().positive().default(128),
  })
  .strict();

export const qemuPmemSchema = runnerSchemaFor(
  QEMU_PMEM_KIND,
  { fragments: ['pmem'], suites: ['dax'] },
  {
    /**
     * The emulated NVDIMMs. The first holds the fsdax/devdax namespaces the suite reconfigures;
     * the second, small one stays a label-less raw namespace (/dev/pmem1): the non-DAX block
     * device the O_DIRECT test writes to from a DAX mapping (a DAX target would pin nothing).
     */
    nvdimms: z.array(nvdimmSchema).default(() => [
      { sizeMiB: 1024, labelSizeKiB: 128 },
      { sizeMiB: 256, labelSizeKiB: 128 },
    ]),
    /** The fstests-dax suite's keys (fstests-config.ts). */
    ...fstestsConfigShape,
  },
);

export type QemuPmemConfig = z.output<typeof qemuPmemSchema>;
