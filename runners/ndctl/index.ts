/**
 * The ndctl runner module: ndctl's own series (`[ndctl PATCH]`), built with meson and run with
 * ndctl's meson suites on nfit_test under a known-good kernel. Its project is `ndctl`: it is sent
 * only ndctl series, applied to trees whose project is ndctl. See README.md in this folder.
 */
import { DAX_GUEST_PATHS } from '../guest/dax-initramfs.ts';
import { defineRunner } from '../module.ts';
import { NFIT_SIM_FRAGMENTS, NFIT_TEST_BUSES } from '../nfit-sim/profile.ts';
import { createNdctlRunner, NDCTL_DESCRIPTION } from './runner.ts';
import { NDCTL_RUNNER, NDCTL_RUNNER_SUITES, ndctlRunnerSchema } from './schema.ts';

export const ndctlRunner = defineRunner({
  kind: NDCTL_RUNNER,
  project: 'ndctl',
  description: NDCTL_DESCRIPTION,
  schema: ndctlRunnerSchema,
  create: (config, deps) => createNdctlRunner({ config, ...deps }),
  profile: (config) => ({
    // The known-good kernel's build: the nfit-sim runner's fragments.
    fragments: [...config.fragments, ...NFIT_SIM_FRAGMENTS],
    suites: NDCTL_RUNNER_SUITES,
    platform: `simulated by nfit_test (${config.kernelTree} at ${config.kernelRef}, not patched): buses ${NFIT_TEST_BUSES.join(' and ')}`,
    nvdimms: [],
  }),
  guestPaths: [...DAX_GUEST_PATHS, 'runners/guest/nfit-sim'],
  guest: 'the guest, with the nfit_test modules of the known-good kernel and the ndctl build under test',
});
