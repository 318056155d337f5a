/**
 * The scripted runner's script, which is also its configuration: as a DAXBOT_SCRIPTED_RUNNER
 * file (runnerScriptSchema) or as a `kind: scripted` runner's own keys (scriptedSchema).
 */
import { z } from 'zod';
import { runnerSchemaFor } from '../schema.ts';

export const SCRIPTED_KIND = 'scripted';

const scriptShape = {
  /** How long each run pretends to build and boot. */
  delayMs: z.number().int().nonnegative().default(0),
  /** The first patch that makes the kernel crash; null or absent for a clean series. */
  badPatch: z.number().int().positive().nullable().default(null),
  /** The base itself crashes (a pre-existing failure). */
  baseCrashes: z.boolean().default(false),
};

export const runnerScriptSchema = z.object(scriptShape);
export type RunnerScript = z.infer<typeof runnerScriptSchema>;

export const scriptedSchema = runnerSchemaFor(
  SCRIPTED_KIND,
  { fragments: [], suites: ['dax'] },
  // It builds no kernel: no per-patch builds unless asked for.
  { ...scriptShape, buildEachPatch: z.boolean().default(false) },
);
export type ScriptedConfig = z.output<typeof scriptedSchema>;
