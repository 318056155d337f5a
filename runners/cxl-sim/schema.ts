/**
 * The cxl-sim runner's configuration: the common runner keys (runners/schema.ts), its suites as
 * defaults, and the ndctl meson suite's keys (its cxl-meson suite runs ndctl's cxl tests through
 * nfit-sim's ndctl machinery). `fragments` are extra fragments: the cxl-sim ones always come last
 * (profile.ts).
 */
import type { z } from 'zod';
import { ndctlConfigShape } from '../nfit-sim/schema.ts';
import { runnerSchemaFor } from '../schema.ts';
import { CXL_SIM_DEFAULT_SUITES, CXL_SIM_RUNNER } from './profile.ts';

export const cxlSimSchema = runnerSchemaFor(
  CXL_SIM_RUNNER,
  { fragments: [], suites: CXL_SIM_DEFAULT_SUITES },
  ndctlConfigShape,
);

export type CxlSimConfig = z.output<typeof cxlSimSchema>;
