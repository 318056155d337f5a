/**
 * The configuration keys every runner has, in one base schema, and the way a runner module makes
 * its own schema from it: `runnerSchemaFor(kind, defaults, ownKeys)` gives a strict zod object
 * (unknown keys are refused) whose `kind` is the module's literal. config/schema.ts assembles the
 * registered modules' schemas into one discriminated union on `kind`.
 *
 * RunnerConfig is what the bot sees of any runner's configuration: the common keys. The parsed
 * object also holds the module's own keys; the registry hands it back to the module parsed by the
 * module's schema, so only the module reads them.
 */
import { z } from 'zod';
import { duration } from '../config/duration.ts';
import { DEFAULT_BUILD_LIMITS } from './build/limits.ts';

/**
 * Which series a runner is sent (bot/queue/dispatch-rule.ts): those touching one of `paths`
 * (`drivers/cxl/`, `include/linux/cxl*`) or sent to one of `lists`. Absent or empty: every series.
 */
export const dispatchSchema = z
  .object({
    paths: z.array(z.string().min(1)).default([]),
    lists: z.array(z.string().min(1)).default([]),
  })
  .strict();

/** Resource limits of a build (runners/build/limits.ts); each key has its default there. */
export const buildLimitsSchema = z
  .object({
    processes: z.number().int().positive().default(DEFAULT_BUILD_LIMITS.processes),
    fileSizeMiB: z.number().int().positive().default(DEFAULT_BUILD_LIMITS.fileSizeMiB),
    cpuSeconds: z.number().int().positive().default(DEFAULT_BUILD_LIMITS.cpuSeconds),
    diskMiB: z.number().int().positive().default(DEFAULT_BUILD_LIMITS.diskMiB),
  })
  .strict();

export const runnerBaseShape = {
  name: z.string().min(1),
  /** Registry key of the runner module (runners/registry.ts). */
  kind: z.string().min(1),
  enabled: z.boolean().default(true),
  dispatch: dispatchSchema.optional(),
  /** Kconfig fragments from config/kernel/ (without .config) or paths. */
  fragments: z.array(z.string()).default([]),
  /** Suites run when a request names none. */
  suites: z.array(z.string()).default([]),
  memoryMiB: z.number().int().positive().default(2048),
  cpus: z.number().int().positive().default(2),
  bootTimeout: duration.default('120s'),
  testTimeout: duration.default('300s'),
  overallTimeout: duration.default('30m'),
  /** Of a guest console that runs on, the first and the last this many MiB are kept (in memory and on disk). */
  consoleKeepMiB: z.number().positive().default(4),
  /** Number of parallel make jobs; 0 = number of cores. */
  jobs: z.number().int().nonnegative().default(0),
  /**
   * Build each prefix of a series that builds (is every patch bisectable?): absent follows
   * `schedule.buildEachPatch`. Of a version's runners, the first with it on does the builds.
   */
  buildEachPatch: z.boolean().optional(),
  buildLimits: buildLimitsSchema.default({}),
};

export const runnerBaseSchema = z.object(runnerBaseShape);

/** The common keys of any runner's parsed configuration. */
export type RunnerConfig = z.output<typeof runnerBaseSchema>;

/** A module's schema: the base keys, its `kind` literal, its defaults and its own keys. Strict. */
export function runnerSchemaFor<K extends string, T extends z.ZodRawShape>(
  kind: K,
  defaults: { fragments: string[]; suites: string[] },
  own: T,
) {
  return z
    .object({
      ...runnerBaseShape,
      kind: z.literal(kind),
      fragments: runnerBaseShape.fragments.removeDefault().default(() => [...defaults.fragments]),
      suites: runnerBaseShape.suites.removeDefault().default(() => [...defaults.suites]),
      ...own,
    })
    .strict();
}
