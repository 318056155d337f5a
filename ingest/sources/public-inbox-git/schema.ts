/** The configuration of a `public-inbox-git` source (lore's git epochs, mirrored or local). */
import { z } from 'zod';
import { sourceSchemaFor } from '../schema.ts';

export const publicInboxGitSchema = sourceSchemaFor('public-inbox-git', {
  /** A lore list URL (https://lore.kernel.org/nvdimm) or a local folder holding epochs 0.git, 1.git, ... */
  url: z.string().min(1),
  /** Where clones are kept; defaults to <cacheDir>/inboxes/<name>. */
  dir: z.string().optional(),
  /** Import history older than the first poll; false starts at the current tip. */
  backfill: z.boolean().default(false),
});

export type PublicInboxGitSourceConfig = z.infer<typeof publicInboxGitSchema>;
