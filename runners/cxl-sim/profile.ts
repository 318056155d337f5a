/**
 * What makes the cxl-sim runner what it is: the kernel profile, the test build, the modules in
 * load order and what the guest prints for the host. Data only, so the runner, the CLI and the
 * tests agree. How the order and the fragments were found is in README.md beside this file.
 */
import type { TestModule } from '../nfit-sim/profile.ts';

export const CXL_SIM_RUNNER = 'cxl-sim';
/** The built-in smoke suite's name in TestResults and in the guest's suite markers. */
export const CXL_SIM_SUITE = 'cxl-sim';
/** ndctl's own `cxl` meson suite (needs config `ndctlSource`). */
export const CXL_MESON_SUITE = 'cxl-meson';
export const CXL_SIM_DEFAULT_SUITES = [CXL_SIM_SUITE, CXL_MESON_SUITE];

/**
 * The Kconfig fragments in config/kernel/, in order. `cxl-sim` holds what both trees need;
 * `cxl-sim-later` holds symbols only later kernels declare (6.12's config_check.c demands them),
 * and each of its lines is applied only where the tree declares the symbol (kconfig-later.ts).
 */
export const CXL_SIM_FRAGMENT = 'cxl-sim';

/**
 * The series a cxl-sim runner is sent when its config has no `dispatch` rule of its own (an
 * explicit empty rule sends it every series): those touching the CXL drivers, cxl_test or the
 * CXL headers, or sent to linux-cxl (bot/queue/dispatch-rule.ts).
 */
export const CXL_SIM_DISPATCH = {
  paths: ['drivers/cxl/', 'tools/testing/cxl/', 'include/linux/cxl*', 'include/uapi/linux/cxl*'],
  lists: ['linux-cxl@vger.kernel.org'],
};
export const CXL_SIM_LATER_FRAGMENT = 'cxl-sim-later';
export const CXL_SIM_FRAGMENTS = [CXL_SIM_FRAGMENT, CXL_SIM_LATER_FRAGMENT];

/** The test build: `make M=tools/testing/cxl` from the (patched) tree. */
export const CXL_TEST_MAKE_DIR = 'tools/testing/cxl';

const t = (name: string, file = `${CXL_TEST_MAKE_DIR}/${name}.ko`): TestModule => ({ name, file, optional: false });
const inTree = (name: string, file: string): TestModule => ({ name, file, optional: true });

/**
 * Load order. firmware_class first where it is a module (6.12's cxl_core uses the firmware
 * upload API: CXL_BUS selects FW_UPLOAD, and FW_LOADER=m in the fragments' config).
 * The test build re-links the CXL drivers with --wrap so their calls into ACPI,
 * libnvdimm and the port/HDM enumeration go to cxl_mock's __wrap_* functions:
 *   libnvdimm (in-tree) before cxl_mock, whose __wrap_nvdimm_bus_register calls it;
 *   cxl_core before cxl_mock (the wrappers call the real functions) and before every driver;
 *   cxl_mock before the drivers that link its wrappers (cxl_acpi, cxl_port, cxl_pmem);
 *   cxl_port before cxl_acpi and cxl_mem (their MODULE_SOFTDEP "pre: cxl_port": a port found
 *   with no port driver is never probed, and the memdevs below it get no endpoint);
 *   cxl_mock_mem, the platform driver of cxl_test's "cxl_mem" devices, before cxl_test;
 *   the in-tree pmem and device-dax drivers, which bind the regions' namespaces and dax devices
 *   (optional: dax_cxl exists from 6.3 on);
 *   cxl_test last: its init adds the platform devices (host bridges, ports, memdevs, ACPI0017)
 *   that the drivers loaded before it bind. Nothing loads a driver for a device that appears
 *   later: the guest has no udev.
 */
export const CXL_TEST_MODULES: TestModule[] = [
  inTree('firmware_class', 'drivers/base/firmware_loader/firmware_class.ko'),
  { name: 'libnvdimm', file: 'drivers/nvdimm/libnvdimm.ko', optional: false },
  t('cxl_core'),
  t('cxl_mock', `${CXL_TEST_MAKE_DIR}/test/cxl_mock.ko`),
  t('cxl_port'),
  t('cxl_acpi'),
  t('cxl_mem'),
  t('cxl_pmem'),
  t('cxl_mock_mem', `${CXL_TEST_MAKE_DIR}/test/cxl_mock_mem.ko`),
  inTree('nd_btt', 'drivers/nvdimm/nd_btt.ko'),
  inTree('nd_pmem', 'drivers/nvdimm/nd_pmem.ko'),
  inTree('device_dax', 'drivers/dax/device_dax.ko'),
  inTree('kmem', 'drivers/dax/kmem.ko'),
  inTree('dax_cxl', 'drivers/dax/dax_cxl.ko'),
  t('cxl_test', `${CXL_TEST_MAKE_DIR}/test/cxl_test.ko`),
];

/** Where the modules and scripts live inside the initramfs. */
export const CXL_GUEST_DIR = '/daxbot/cxl-sim';

/**
 * Extra kernel command line. oops=panic: a crash in a teardown path leaves the region rwsem or a
 * device lock held, and every later `cxl` call would wait until the test timeout; the first
 * report is the meaningful one. cxl_test's mock memory sits at the top of the physical address
 * space (64 GiB below iomem's end): nothing needs memmap or numa options for it.
 */
export const CXL_SIM_CMDLINE = ['oops=panic', 'panic=-1'];

/** The built-in suite's tests, in order (runners/guest/cxl-sim/suite.sh's plan). */
export const CXL_SIM_TESTS = [
  'topology',
  'memdevs',
  'root-decoders',
  'region-create',
  'region-committed',
  'region-disable',
  'region-destroy',
  'decoders-free',
  'region-recreate',
  'interleave-region',
  'unload',
];

/** The runner-schema defaults (config/schema.ts), which are the qemu-pmem runner's. */
const SCHEMA_DEFAULT_FRAGMENTS = ['pmem'];
const SCHEMA_DEFAULT_SUITES = ['dax'];

const same = (a: string[], b: string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * The fragments and suites a cxl-sim runner really uses. Unset values (equal to the schema's
 * qemu-pmem defaults) become this profile's; the cxl-sim fragments always come last, because
 * config_check.c needs their "=m" symbols to win over any other fragment's "=y" (pure).
 */
export function cxlSimProfile(cfg: { fragments: string[]; suites: string[] }): {
  fragments: string[];
  suites: string[];
} {
  const base = same(cfg.fragments, SCHEMA_DEFAULT_FRAGMENTS)
    ? []
    : cfg.fragments.filter((f) => !CXL_SIM_FRAGMENTS.includes(f));
  const suites = same(cfg.suites, SCHEMA_DEFAULT_SUITES) ? CXL_SIM_DEFAULT_SUITES : cfg.suites;
  return { fragments: [...base, ...CXL_SIM_FRAGMENTS], suites };
}

/**
 * QEMU arguments for two NUMA nodes: cxl_test puts its mock memdevs on nodes 0 and 1
 * (set_dev_node(i % 2)), and with a single node the first allocation for a memdev on node 1
 * dereferences node 1's missing zonelist and the guest panics inside cxl_test_init (measured on
 * 6.1). Node 0 gets every CPU and half the memory, node 1 the rest and no CPU (pure).
 */
export function numaArgs(memoryMiB: number, cpus: number): string[] {
  const first = Math.floor(memoryMiB / 2);
  return [
    '-object',
    `memory-backend-ram,id=numa0,size=${first}M`,
    '-numa',
    `node,nodeid=0,cpus=0${cpus > 1 ? `-${cpus - 1}` : ''},memdev=numa0`,
    '-object',
    `memory-backend-ram,id=numa1,size=${memoryMiB - first}M`,
    '-numa',
    'node,nodeid=1,memdev=numa1',
  ];
}
