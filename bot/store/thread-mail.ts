/**
 * What a reply needs from the stored mail it answers (the cover letter, or patch 1): the
 * Subject as it was sent, its To/Cc, and its place in the thread (References, In-Reply-To).
 * Read from the parsed record through a schema: the record is our own JSON, but it outlives
 * code versions and its values came from strangers' mail.
 */
import type { Kysely, Transaction } from 'kysely';
import { z } from 'zod';
import type { Database } from './tables.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface ThreadAddress {
  name: string;
  address: string;
}

export interface ThreadMail {
  messageId: string;
  /** The Subject as sent: RFC 2047 decoded, header folding undone. */
  subject: string;
  to: ThreadAddress[];
  cc: ThreadAddress[];
  /** The mail's own References, oldest first, then its In-Reply-To when References lacked it. */
  ancestors: string[];
  listId: string | null;
  /** Bracketed subject prefix words, lower-cased ("patch", "v2", "mm-unstable"): tree routing. */
  prefixes: string[];
}

const address = z.object({ name: z.string().catch(''), address: z.string() });
// One bad entry must not cost the others: entries are checked one by one.
const addressList = z
  .array(z.unknown())
  .catch([])
  .transform((xs) =>
    xs.flatMap((x) => {
      const a = address.safeParse(x);
      return a.success && a.data.address !== '' ? [a.data] : [];
    }),
  );
const idList = z
  .array(z.unknown())
  .catch([])
  .transform((xs) => xs.filter((x): x is string => typeof x === 'string' && x !== ''));

const parsedSchema = z
  .object({
    subject: z.object({ raw: z.string(), prefixes: z.array(z.string()).catch([]) }).passthrough(),
    to: addressList,
    cc: addressList,
    references: idList,
    inReplyTo: z.string().nullable().catch(null),
    listId: z.string().nullable().catch(null),
  })
  .passthrough();

/** The first stored copy of `messageId` (as ingest keeps it), or null when absent or unreadable. */
export async function threadMail(db: Db, messageId: string): Promise<ThreadMail | null> {
  const row = await db
    .selectFrom('messages')
    .select(['parsed', 'subject', 'list_id'])
    .where('message_id', '=', messageId.replace(/^<|>$/g, ''))
    .where('dup_of', 'is', null)
    .where('status', '=', 'ok')
    .orderBy('id')
    .executeTakeFirst();
  if (!row?.parsed) return null;
  let json: unknown;
  try {
    json = JSON.parse(row.parsed);
  } catch {
    return null;
  }
  const p = parsedSchema.safeParse(json);
  if (!p.success) return null;
  const ancestors = [...p.data.references];
  // A mail with In-Reply-To but no (or a cut) References still names its parent.
  if (p.data.inReplyTo && !ancestors.includes(p.data.inReplyTo)) ancestors.push(p.data.inReplyTo);
  return {
    messageId,
    subject: p.data.subject.raw || (row.subject ?? ''),
    to: p.data.to,
    cc: p.data.cc,
    ancestors,
    listId: p.data.listId ?? row.list_id,
    prefixes: p.data.subject.prefixes,
  };
}
