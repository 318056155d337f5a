/**
 * Values the bot makes once and keeps (migration 009 `settings`): the first writer wins, so
 * several processes starting at once (a fleet's dashboards) all end up with the same value.
 */
import type { Kysely } from 'kysely';
import type { Database } from './tables.ts';

export async function keptSetting(
  db: Kysely<Database>,
  name: string,
  make: () => string,
  now: string,
): Promise<string> {
  await db
    .insertInto('settings')
    .values({ name, value: make(), created_at: now })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await db.selectFrom('settings').select('value').where('name', '=', name).executeTakeFirstOrThrow();
  return row.value;
}
