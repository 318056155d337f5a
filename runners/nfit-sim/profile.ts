/**
 * What makes the nfit-sim runner what it is: the kernel profile, the test build, the modules in
 * load order and the buses it expects. Data only, so the runner, the CLI and the tests agree.
 */

export const NFIT_SIM_RUNNER = 'nfit-sim';
/** The suite name in TestResults and in the guest's DAXBOT-SUITE markers. */
export const NFIT_SIM_SUITE = 'nfit-sim';
/** The external ndctl meson suite (needs config `ndctlSource`). */
export const NDCTL_MESON_SUITE = 'ndctl-meson';
export const NFIT_SIM_DEFAULT_SUITES = [NFIT_SIM_SUITE, NDCTL_MESON_SUITE];

/** The Kconfig fragment(s) in config/kernel/ for this profile. */
export const NFIT_SIM_FRAGMENTS = ['nfit-sim'];

/**
 * The test build: the kernel's own simulator code, built from the (patched) tree so a series that
 * touches drivers/nvdimm, drivers/dax, drivers/acpi/nfit or tools/testing/nvdimm is tested with it.
 */
export const NFIT_TEST_MAKE_DIR = 'tools/testing/nvdimm';

/** Buses nfit_test registers: .0 is the healthy one the suite works on; .1 carries broken DIMMs. */
export const NFIT_TEST_BUSES = ['nfit_test.0', 'nfit_test.1'];
/** The bus whose DIMMs nfit_test breaks on purpose (tools/testing/nvdimm/test/nfit.c, nfit_test1_setup). */
export const NFIT_BROKEN_DIMM_BUS = 'nfit_test.1';
/** The built-in suite's test that checks those DIMMs show their failure flags. */
export const BROKEN_DIMMS_TEST = 'bus1-broken-dimms';

export interface TestModule {
  /** Module name as insmod reports it ("nd_pmem"). */
  name: string;
  /** Path of the .ko under the build folder. */
  file: string;
  /** Absent from some configs (nd_e820 needs X86_PMEM_LEGACY=m, dax.ko needs DAX=m). */
  optional: boolean;
}

/**
 * Dependency order: nfit_test_iomap provides the __wrap_* symbols every other module links
 * against; libnvdimm before its drivers; nd_btt before nd_pmem (pmem attaches btt); the device-dax
 * core before dax_pmem; nfit_test last, because it registers the buses the drivers then probe.
 */
export const NFIT_TEST_MODULES: TestModule[] = [
  { name: 'nfit_test_iomap', file: `${NFIT_TEST_MAKE_DIR}/test/nfit_test_iomap.ko`, optional: false },
  { name: 'dax', file: `${NFIT_TEST_MAKE_DIR}/dax.ko`, optional: true },
  { name: 'libnvdimm', file: `${NFIT_TEST_MAKE_DIR}/libnvdimm.ko`, optional: false },
  { name: 'nd_btt', file: `${NFIT_TEST_MAKE_DIR}/nd_btt.ko`, optional: false },
  { name: 'nd_pmem', file: `${NFIT_TEST_MAKE_DIR}/nd_pmem.ko`, optional: false },
  { name: 'nd_e820', file: `${NFIT_TEST_MAKE_DIR}/nd_e820.ko`, optional: true },
  { name: 'nfit', file: `${NFIT_TEST_MAKE_DIR}/nfit.ko`, optional: false },
  { name: 'device_dax', file: `${NFIT_TEST_MAKE_DIR}/device_dax.ko`, optional: false },
  { name: 'dax_pmem', file: `${NFIT_TEST_MAKE_DIR}/dax_pmem.ko`, optional: false },
  { name: 'nfit_test', file: `${NFIT_TEST_MAKE_DIR}/test/nfit_test.ko`, optional: false },
];

/** Where the modules and scripts live inside the initramfs. */
export const GUEST_DIR = '/daxbot/nfit-sim';

/**
 * Extra kernel command line: an oops in a teardown path usually leaves a device lock held, so
 * every later ndctl call would hang until the test timeout. Panicking at once ends the run with
 * the first (the meaningful) report on the console.
 */
export const NFIT_SIM_CMDLINE = ['oops=panic', 'panic=-1'];

/**
 * The fragments and suites an nfit-sim runner really uses: the configured fragments with the
 * nfit-sim fragment always last (config_check.c needs its "=m" symbols to win over any other
 * fragment's "=y"), and the configured suites (schema.ts defaults them to this profile's).
 */
export function nfitSimProfile(cfg: { fragments: string[]; suites: string[] }): {
  fragments: string[];
  suites: string[];
} {
  const base = cfg.fragments.filter((f) => !NFIT_SIM_FRAGMENTS.includes(f));
  return { fragments: [...base, ...NFIT_SIM_FRAGMENTS], suites: cfg.suites };
}
