/**
 * The few header facts of a stored message that routing needs (List-Id, To/Cc, subject prefix
 * words), read from its parsed record. The record is our own JSON, but it outlives code
 * versions, so it is read through a schema, not trusted to have today's shape.
 */
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from './tables.ts';

const addressList = z.array(z.object({ address: z.string() }).passthrough()).catch([]);
const parsedHeaders = z
  .object({
    listId: z.string().nullable().catch(null),
    to: addressList,
    cc: addressList,
    subject: z.object({ prefixes: z.array(z.string()).catch([]) }).passthrough(),
  })
  .passthrough();

export interface RootMailFacts {
  listId: string | null;
  recipients: string[];
  prefixes: string[];
}

export async function rootMailFacts(db: Kysely<Database>, messageId: string): Promise<RootMailFacts | null> {
  const row = await db
    .selectFrom('messages')
    .select(['parsed', 'list_id'])
    .where('message_id', '=', messageId)
    .where('dup_of', 'is', null)
    .orderBy('id')
    .executeTakeFirst();
  if (!row?.parsed) return null;
  let json: unknown;
  try {
    json = JSON.parse(row.parsed);
  } catch {
    return null;
  }
  const p = parsedHeaders.safeParse(json);
  if (!p.success) return null;
  return {
    listId: p.data.listId ?? row.list_id,
    recipients: [...p.data.to, ...p.data.cc].map((a) => a.address),
    prefixes: p.data.subject.prefixes,
  };
}
