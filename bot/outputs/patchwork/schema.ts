/** Configuration of a Patchwork output (one Patchwork instance, optionally one project of it). */
import { z } from 'zod';

/** Patchwork's check context is a Django slug. */
export const SLUG = /^[-a-zA-Z0-9_]+$/;

export const patchworkOutputSchema = z
  .object({
    kind: z.literal('patchwork'),
    /** Names this output in the store and the logs; defaults to the kind. */
    name: z.string().min(1).optional(),
    /** The instance's address, e.g. https://patchwork.kernel.org (its REST API is <url>/api/1.2/). */
    url: z.string().url(),
    /** The project's link name (e.g. "linux-nvdimm"): patches of other projects are never touched. */
    project: z.string().min(1).optional(),
    /** Environment variable holding the API token of a user who maintains the project. */
    tokenEnv: z.string().min(1).default('DAXBOT_PATCHWORK_TOKEN'),
    /** Checks are named `<context>-<runner>`. */
    context: z.string().regex(SLUG, 'letters, digits, "-" and "_"').default('daxbot'),
    /** Post a pending check on each patch when a job starts. */
    pending: z.boolean().default(true),
    /** Time for one post (every patch of the series), in milliseconds. */
    timeoutMs: z.number().int().positive().default(60_000),
  })
  .strict();

export type PatchworkOutputConfig = z.infer<typeof patchworkOutputSchema>;
