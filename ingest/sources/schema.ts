/**
 * The configuration keys every source has (`kind`, `name`, `schedule`) and the way a source kind
 * makes its own schema from them: `sourceSchemaFor(kind, ownKeys, schedule)`. Each kind's folder
 * holds its schema (schema.ts), the registry lists them, and config/schema.ts assembles them into
 * one discriminated union on `kind`.
 */
import { z } from 'zod';

export function sourceSchemaFor<K extends string, T extends z.ZodRawShape>(kind: K, own: T, schedule = '*/5 * * * *') {
  return z.object({
    kind: z.literal(kind),
    name: z.string().min(1),
    ...own,
    /** When the source is polled (cron). */
    schedule: z.string().default(schedule),
  });
}
