/** The configuration of an `mbox` source (an mbox/mboxrd file, gzip allowed, or a maildir). */
import { z } from 'zod';
import { sourceSchemaFor } from '../schema.ts';

export const mboxSchema = sourceSchemaFor(
  'mbox',
  {
    /** An mbox/mboxrd file (gzip allowed) or a maildir folder. */
    path: z.string().min(1),
  },
  '*/10 * * * *',
);

export type MboxSourceConfig = z.infer<typeof mboxSchema>;
