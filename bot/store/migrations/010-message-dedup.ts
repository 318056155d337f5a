import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';

/**
 * Deduplication the database enforces, so two ingesters (a fleet on PostgreSQL, READ COMMITTED)
 * can never store one mail twice: `(message_id, raw_sha256)` is unique (an identical copy is a
 * sighting), and so is `message_id` among first copies (`dup_of IS NULL`: a second copy with
 * other bytes links to the one first copy). Stores written before by racing ingesters are
 * repaired first without losing anything: an extra identical row becomes a sighting of the
 * first, and an extra first copy is linked to the oldest.
 */
export function up010(_dialect: Dialect) {
  return async (db: Kysely<unknown>): Promise<void> => {
    // Identical extra copies: their deliveries become sightings of the oldest row, then they go.
    const extra = sql`SELECT m.id FROM messages m WHERE EXISTS (SELECT 1 FROM messages f
      WHERE f.message_id = m.message_id AND f.raw_sha256 = m.raw_sha256 AND f.id < m.id)`;
    const firstOf = sql`(SELECT min(f.id) FROM messages f WHERE f.message_id = m.message_id
      AND f.raw_sha256 = m.raw_sha256)`;
    await sql`INSERT INTO sightings (message_row, source, origin, seen_at)
      SELECT ${firstOf}, m.source, m.origin, m.received_at FROM messages m WHERE m.id IN (${extra})`.execute(db);
    await sql`UPDATE sightings SET message_row = (SELECT min(f.id) FROM messages f, messages m
      WHERE m.id = sightings.message_row AND f.message_id = m.message_id AND f.raw_sha256 = m.raw_sha256)
      WHERE message_row IN (${extra})`.execute(db);
    await sql`DELETE FROM messages WHERE id IN (SELECT id FROM (${extra}) AS x)`.execute(db);
    // Extra first copies (other bytes): linked to the oldest copy of their Message-ID.
    await sql`UPDATE messages SET dup_of = (SELECT min(f.id) FROM messages f WHERE f.message_id = messages.message_id)
      WHERE dup_of IS NULL AND id > (SELECT min(f.id) FROM messages f WHERE f.message_id = messages.message_id)`.execute(
      db,
    );
    await sql`CREATE UNIQUE INDEX IF NOT EXISTS messages_id_sha ON messages (message_id, raw_sha256)`.execute(db);
    await sql`CREATE UNIQUE INDEX IF NOT EXISTS messages_first_copy ON messages (message_id) WHERE dup_of IS NULL`.execute(
      db,
    );
  };
}
