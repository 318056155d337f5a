import type { ColumnDefinitionBuilder, Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';

/**
 * Marks left by accepted mail commands, read by the pipeline on every later result:
 * "unrelated" (a crash title not caused by the series, keyed to the series key so it holds for
 * every version of the series) and "invalid" (the report on one series version is withdrawn).
 * One row per command line, so replaying a command mail cannot add a mark twice.
 */
export function up004(dialect: Dialect) {
  return async (db: Kysely<unknown>): Promise<void> => {
    const pk = dialect === 'postgres' ? 'serial' : 'integer';
    const id = (c: ColumnDefinitionBuilder): ColumnDefinitionBuilder =>
      dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement();
    await db.schema
      .createTable('command_marks')
      .addColumn('id', pk, id)
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('series_key', 'text', (c) => c.notNull())
      .addColumn('version_key', 'text', (c) => c.notNull())
      .addColumn('crash_title', 'text')
      .addColumn('marked_by', 'text', (c) => c.notNull())
      .addColumn('command_id', 'text', (c) => c.notNull().unique())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('command_marks_series').on('command_marks').columns(['series_key', 'kind']).execute();
    await db.schema.createIndex('command_marks_version').on('command_marks').columns(['version_key', 'kind']).execute();
  };
}
