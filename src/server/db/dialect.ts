import type { Database as SqliteHandle } from 'better-sqlite3';
import { PostgresAdapter, SqliteAdapter, SqliteDialect, type DialectAdapter, type Kysely, type SqliteDialectConfig } from 'kysely';

/** True on PostgreSQL: the few places that differ (partitions, TRUNCATE) ask this. */
export function isPostgres<DB>(db: Kysely<DB>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/**
 * SQLite runs DDL inside transactions, but Kysely's adapter says it cannot, so its Migrator would
 * apply migrations statement by statement: a kill between two of them left a database that never
 * started again ("table devices already exists"). Saying yes makes each run all or nothing.
 * It also carries the better-sqlite3 handle, for the hot inserts that skip Kysely (bulk-insert.ts).
 */
class XunfangSqliteAdapter extends SqliteAdapter {
  constructor(readonly handle: SqliteHandle) {
    super();
  }
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

/** Kysely's SQLite dialect over one better-sqlite3 handle, with the adapter above. */
export class XunfangSqliteDialect extends SqliteDialect {
  constructor(private readonly handle: SqliteHandle) {
    super({ database: handle } satisfies SqliteDialectConfig);
  }
  override createAdapter(): DialectAdapter {
    return new XunfangSqliteAdapter(this.handle);
  }
}

/**
 * The better-sqlite3 handle behind a Kysely instance or transaction on SQLite, else null.
 * WARNING: Kysely has one connection to it; use it only inside a Kysely transaction (which holds
 * that connection), or another request's statements could land in the middle of yours.
 */
export function sqliteHandle(db: Pick<Kysely<unknown>, 'getExecutor'>): SqliteHandle | null {
  const adapter = db.getExecutor().adapter;
  return adapter instanceof XunfangSqliteAdapter ? adapter.handle : null;
}
