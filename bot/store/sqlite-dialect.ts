/**
 * SQLite through Kysely, with one correction: when a statement or the COMMIT of a transaction
 * fails with SQLITE_FULL, SQLITE_IOERR and the like, SQLite has already rolled the transaction
 * back itself. Kysely's ROLLBACK then fails with "cannot rollback - no transaction is active",
 * and that error would replace the real cause. Here a ROLLBACK that finds no transaction is not
 * an error, so the caller sees the cause (the store stays consistent either way: SQLite rolled
 * back).
 */
import { SqliteDialect, type DatabaseConnection, type Driver } from 'kysely';

function noTransaction(err: unknown): boolean {
  return err instanceof Error && /no transaction is active/.test(err.message);
}

export class CauseKeepingSqliteDialect extends SqliteDialect {
  override createDriver(): Driver {
    const driver = super.createDriver();
    const rollback = driver.rollbackTransaction.bind(driver);
    driver.rollbackTransaction = async (connection: DatabaseConnection): Promise<void> => {
      try {
        await rollback(connection);
      } catch (err) {
        if (!noTransaction(err)) throw err;
      }
    };
    return driver;
  }
}
