import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Kysely, Migrator, PostgresDialect, type MigrationProvider } from 'kysely';
import { StoreError } from '../errors.ts';
import { dialectOf, type Dialect } from './dialect.ts';
import { migrations } from './migrations/index.ts';
import { CauseKeepingSqliteDialect } from './sqlite-dialect.ts';
import type { Database } from './tables.ts';

export interface Store {
  db: Kysely<Database>;
  dialect: Dialect;
  location: string;
  close(): Promise<void>;
}

/**
 * Opens the store and brings its schema up to date. SQLite is the embedded default (a real
 * file, WAL mode so the dashboard can read while the bot writes); a postgres:// URL selects
 * PostgreSQL for a fleet of machines sharing one database.
 */
export async function openStore(location: string): Promise<Store> {
  const dialect = dialectOf(location);
  let db: Kysely<Database>;
  try {
    if (dialect === 'postgres') {
      const pg = await import('pg');
      // Kysely streams big selects (series assembly reads every parsed mail) through a cursor.
      const { default: Cursor } = await import('pg-cursor');
      const pool = new pg.default.Pool({ connectionString: location, max: 4 });
      // A server restart or failover drops idle connections and the pool emits 'error' for
      // them; unheard, that event would end the whole bot. The next query simply reconnects.
      pool.on('error', () => undefined);
      db = new Kysely<Database>({ dialect: new PostgresDialect({ pool, cursor: Cursor }) });
    } else {
      const { default: SQLite } = await import('better-sqlite3');
      if (location !== ':memory:') mkdirSync(dirname(location), { recursive: true });
      const sqlite = new SQLite(location);
      // Raw mails average ~12 KiB: bigger pages mean shorter overflow chains. Only takes effect
      // on a new file (before WAL is switched on), which is when the bulk import happens.
      sqlite.pragma('page_size = 16384');
      sqlite.pragma('journal_mode = WAL');
      sqlite.pragma('cache_size = -16384');
      // NORMAL keeps WAL durable across a process kill (only an OS crash can lose the last commit).
      sqlite.pragma('synchronous = NORMAL');
      sqlite.pragma('busy_timeout = 10000');
      db = new Kysely<Database>({ dialect: new CauseKeepingSqliteDialect({ database: sqlite }) });
    }
  } catch (err) {
    throw new StoreError(`cannot open store ${location}: ${(err as Error).message}`, { location }, { cause: err });
  }
  const provider: MigrationProvider = { getMigrations: async () => migrations(dialect) };
  const migrator = new Migrator({
    db,
    provider,
    migrationTableName: 'daxbot_migrations',
    migrationLockTableName: 'daxbot_migrations_lock',
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    await db.destroy();
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new StoreError(
      `migration ${failed ?? '?'} failed: ${(error as Error).message}`,
      { location, failed },
      { cause: error },
    );
  }
  return { db, dialect, location, close: () => db.destroy() };
}
