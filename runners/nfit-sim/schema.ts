/**
 * The nfit-sim runner's configuration: the common runner keys (runners/schema.ts), its suites as
 * defaults, and the five keys of the external ndctl meson suite, which only this runner has.
 * `fragments` are extra fragments: the nfit-sim one is always added last (profile.ts).
 */
import { z } from 'zod';
import { runnerSchemaFor } from '../schema.ts';
import { NFIT_SIM_DEFAULT_SUITES, NFIT_SIM_RUNNER } from './profile.ts';

/** The ndctl meson suite's keys, for any runner that runs it. */
export const ndctlConfigShape = {
  /**
   * An ndctl source checkout for the external meson suite (suite "ndctl-meson"). It is built
   * inside a cached Debian root filesystem and its `meson test` runs in the guest.
   */
  ndctlSource: z.string().optional(),
  /** The meson suites of that checkout to run ("ndctl" means "ndctl:ndctl"; cxl needs cxl_test). */
  ndctlSuites: z
    .array(z.string().regex(/^[\w.:-]+$/))
    .min(1)
    .default(() => ['ndctl', 'dax']),
  /** Build with -Ddestructive=enabled (tests that reformat the simulated devices). */
  /**
   * meson test names to run from those suites (e.g. [create.sh, clear.sh]); empty runs them all.
   * CI runs a representative subset; the full suites run in `npm run bench -- ndctl`.
   */
  ndctlTests: z.array(z.string().regex(/^[\w.+-]+$/)).default([]),
  ndctlDestructive: z.boolean().default(false),
  /** Further `meson setup` options; the defaults drop what a test guest does not need. */
  ndctlMesonOptions: z
    .array(z.string().regex(/^-D[\w-]+=\S*$/))
    .default(() => ['-Ddocs=disabled', '-Dsystemd=disabled']),
  /** meson's --timeout-multiplier (each ndctl test declares its own timeout). */
  ndctlTimeoutMultiplier: z.number().int().positive().default(1),
};

export const nfitSimSchema = runnerSchemaFor(
  NFIT_SIM_RUNNER,
  { fragments: [], suites: NFIT_SIM_DEFAULT_SUITES },
  ndctlConfigShape,
);

export type NfitSimConfig = z.output<typeof nfitSimSchema>;

/** What the ndctl suite's host preparation reads of a runner's config (ndctl-suite.ts). */
export type NdctlSuiteConfig = z.output<z.ZodObject<typeof ndctlConfigShape>> & { jobs: number };
