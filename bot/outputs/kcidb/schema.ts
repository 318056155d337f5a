/** Configuration of a KCIDB submitter: where daxbot's results are POSTed as KCIDB JSON. */
import { z } from 'zod';

/** KCIDB's origin pattern (kcidb-io: `[a-z0-9_]+`). */
export const ORIGIN = /^[a-z0-9_]+$/;

export const kcidbOutputSchema = z
  .object({
    kind: z.literal('kcidb'),
    /** Names this output in the store and the logs; defaults to the kind. */
    name: z.string().min(1).optional(),
    /** The submission endpoint: each finished job's report is POSTed to it as JSON. */
    url: z.string().url(),
    /** Environment variable holding the bearer token the endpoint expects. */
    tokenEnv: z.string().min(1).default('DAXBOT_KCIDB_TOKEN'),
    /** The CI system's name in KCIDB: every object id starts with `<origin>:`. */
    origin: z.string().regex(ORIGIN, 'lower-case letters, digits and "_"').default('daxbot'),
    /** Time for one submission, in milliseconds. */
    timeoutMs: z.number().int().positive().default(60_000),
  })
  .strict();

export type KcidbOutputConfig = z.infer<typeof kcidbOutputSchema>;
