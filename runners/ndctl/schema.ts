/**
 * The ndctl runner's configuration: the common runner keys, the ndctl meson suite's keys (shared
 * with nfit-sim, without `ndctlSource`: the source is the patched ndctl tree of the run), and the
 * known-good kernel the suites run on: a configured kernel tree and revision, built once with
 * the nfit-sim runner's fragments (the same build folder as that runner's baseline of the tree).
 */
import { z } from 'zod';
import { ndctlConfigShape } from '../nfit-sim/schema.ts';
import { runnerSchemaFor } from '../schema.ts';

export const NDCTL_RUNNER = 'ndctl';

/** The one suite this runner runs: ndctl's own meson suites on nfit_test. */
export const NDCTL_RUNNER_SUITES = ['ndctl-meson'];

const { ndctlSource: _source, ...suiteShape } = ndctlConfigShape;

export const ndctlRunnerSchema = runnerSchemaFor(
  NDCTL_RUNNER,
  { fragments: [], suites: NDCTL_RUNNER_SUITES },
  {
    ...suiteShape,
    /** The kernel project's tree the suites run on (a `trees:` name), never patched by this runner. */
    kernelTree: z.string().min(1).default('linux-6.1'),
    /** The revision of that tree (its configured base: a branch, tag or commit). */
    kernelRef: z.string().min(1).default('HEAD'),
  },
);

export type NdctlRunnerConfig = z.output<typeof ndctlRunnerSchema>;
