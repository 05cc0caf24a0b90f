import { open, type FileHandle } from 'node:fs/promises';
import type { Database as SqliteHandle } from 'better-sqlite3';
import { PostgresAdapter, SqliteAdapter, SqliteDialect, SqliteDriver, type DialectAdapter, type Driver, type Kysely, type SqliteDialectConfig } from 'kysely';

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
  constructor(
    readonly handle: SqliteHandle,
    readonly log: WriteAheadLog,
  ) {
    super();
  }
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

/**
 * The write-ahead log of a SQLite file, for commits that do not wait for the disk on the event
 * loop. A COMMIT at synchronous = FULL fsyncs the log inside the call, and better-sqlite3 is
 * synchronous: some 8 ms here (tens under load) during which no request is answered. A commit
 * made after `deferSync` writes the log and returns; `sync` then flushes it on libuv's pool,
 * and whoever awaits it holds a durable commit, as FULL would have given. The log's pages are
 * the same file whichever descriptor flushes them, and SQLite in WAL mode at NORMAL stays
 * consistent after a crash: it can only lose commits nobody synced, so nothing acknowledged.
 */
class WriteAheadLog {
  private file: Promise<FileHandle> | null = null;
  private deferred = false;

  constructor(private readonly handle: SqliteHandle) {}

  /**
   * Commits on the handle stop waiting for the disk until `endDeferral`; call while holding the
   * connection and outside a transaction (SQLite refuses inside one), then `sync` after the COMMIT.
   */
  deferSync(): void {
    this.handle.pragma('synchronous = NORMAL');
    this.deferred = true;
  }

  /** Commits fsync again; call before letting the connection go, so no other commit runs deferred. */
  endDeferral(): void {
    if (!this.deferred) return;
    this.deferred = false;
    this.handle.pragma('synchronous = FULL');
  }

  /** Flushes the log, and with it every commit written so far, off the event loop. */
  async sync(): Promise<void> {
    this.file ??= open(`${this.handle.name}-wal`, 'r');
    try {
      await (await this.file).datasync();
    } catch (error) {
      this.file = null; // opened again next time
      throw error;
    }
  }

  async close(): Promise<void> {
    const file = this.file;
    this.file = null;
    await (await file?.catch(() => null))?.close();
  }
}

/** Kysely's SQLite driver, closing the log's descriptor with the database. */
class XunfangSqliteDriver extends SqliteDriver {
  constructor(
    config: SqliteDialectConfig,
    private readonly log: WriteAheadLog,
  ) {
    super(config);
  }
  override async destroy(): Promise<void> {
    await this.log.close();
    await super.destroy();
  }
}

/** Kysely's SQLite dialect over one better-sqlite3 handle, with the adapter and driver above. */
export class XunfangSqliteDialect extends SqliteDialect {
  private readonly log: WriteAheadLog;
  constructor(private readonly handle: SqliteHandle) {
    super({ database: handle } satisfies SqliteDialectConfig);
    this.log = new WriteAheadLog(handle);
  }
  override createAdapter(): DialectAdapter {
    return new XunfangSqliteAdapter(this.handle, this.log);
  }
  override createDriver(): Driver {
    return new XunfangSqliteDriver({ database: this.handle }, this.log);
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

/** The write-ahead log behind a Kysely instance or transaction on SQLite (see WriteAheadLog), else null. */
export function sqliteLog(db: Pick<Kysely<unknown>, 'getExecutor'>): Pick<WriteAheadLog, 'deferSync' | 'endDeferral' | 'sync'> | null {
  const adapter = db.getExecutor().adapter;
  return adapter instanceof XunfangSqliteAdapter ? adapter.log : null;
}
