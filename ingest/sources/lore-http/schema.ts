/** The configuration of a `lore-http` source (a public-inbox web archive: new.atom + t.mbox.gz). */
import { z } from 'zod';
import { duration } from '../../../config/duration.ts';
import { sourceSchemaFor } from '../schema.ts';

export const loreHttpSchema = sourceSchemaFor('lore-http', {
  /** The inbox base URL, e.g. https://lore.kernel.org/nvdimm/ */
  url: z.string().url(),
  /** Maximum backoff after errors or HTTP 429. */
  maxBackoff: duration.default('30m'),
});

export type LoreHttpSourceConfig = z.infer<typeof loreHttpSchema>;
