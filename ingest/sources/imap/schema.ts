/** The configuration of an `imap` source (a mailbox subscribed to the list). */
import { z } from 'zod';
import { sourceSchemaFor } from '../schema.ts';

export const imapSchema = sourceSchemaFor('imap', {
  host: z.string().min(1),
  port: z.number().int().positive().default(993),
  secure: z.boolean().default(true),
  user: z.string().min(1),
  /** Name of the environment variable holding the password. */
  passwordEnv: z.string().default('DAXBOT_IMAP_PASSWORD'),
  mailbox: z.string().default('INBOX'),
  idle: z.boolean().default(false),
});

export type ImapSourceConfig = z.infer<typeof imapSchema>;
