import type { Kysely, Transaction } from 'kysely';
import type { Database } from './tables.ts';

export async function getCheckpoint(db: Kysely<Database>, source: string): Promise<string | null> {
  const row = await db.selectFrom('checkpoints').select('value').where('source', '=', source).executeTakeFirst();
  return row?.value ?? null;
}

/** Saved in the same transaction as the messages it covers: a crash loses neither or both. */
export async function setCheckpoint(
  trx: Transaction<Database> | Kysely<Database>,
  source: string,
  value: string | null,
  now: string,
): Promise<void> {
  await trx
    .insertInto('checkpoints')
    .values({ source, value, updated_at: now })
    .onConflict((oc) => oc.column('source').doUpdateSet({ value, updated_at: now }))
    .execute();
}
