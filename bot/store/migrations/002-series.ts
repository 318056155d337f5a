import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';

export function up002(dialect: Dialect) {
  return async (db: Kysely<unknown>): Promise<void> => {
    const pk = dialect === 'postgres' ? 'serial' : 'integer';
    await db.schema
      .createTable('series_versions')
      .addColumn('id', pk, (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
      .addColumn('version_key', 'text', (c) => c.notNull().unique())
      .addColumn('series_key', 'text', (c) => c.notNull())
      .addColumn('revision', 'integer', (c) => c.notNull())
      .addColumn('project', 'text', (c) => c.notNull())
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('root_message_id', 'text', (c) => c.notNull())
      .addColumn('cover_message_id', 'text')
      .addColumn('thread_root_id', 'text', (c) => c.notNull())
      .addColumn('author', 'text', (c) => c.notNull())
      .addColumn('expected', 'integer', (c) => c.notNull())
      .addColumn('present', 'integer', (c) => c.notNull())
      .addColumn('complete', 'integer', (c) => c.notNull())
      .addColumn('has_cover', 'integer', (c) => c.notNull())
      .addColumn('base_commit', 'text')
      .addColumn('first_date', 'text')
      .addColumn('last_date', 'text')
      .addColumn('data', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('series_versions_series').on('series_versions').column('series_key').execute();
    await db.schema.createIndex('series_versions_root').on('series_versions').column('root_message_id').execute();
  };
}
