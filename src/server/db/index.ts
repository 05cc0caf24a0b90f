import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect } from 'kysely';
import pg from 'pg';
import { isPostgresUrl } from '../config.js';
import { runRequestedRebuild } from '../records/derived.js';
import { startCheckpointer } from './checkpointer.js';
import { XunfangSqliteDialect } from './dialect.js';
import { migrationProvider } from './migrations.js';
import { inProcessNotifier, postgresNotifier, type Notifier } from './notify.js';
import type { Tables } from './schema.js';

export type DbKind = 'sqlite' | 'postgres';

/** An open, migrated database and which engine is behind it. */
export interface Database {
  kind: DbKind;
  db: Kysely<Tables>;
  /** Wakes every server process on this database after a commit (the live channel's fan-out). */
  notifier: Notifier;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** `postgres://…` selects PostgreSQL; anything else (or nothing) the embedded SQLite. */
  url?: string | undefined;
  /** Where the SQLite file lives. */
  dataDir: string;
}

/** Opens the configured database and brings its schema, and the derived tables it asks for, up to date. */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const database = isPostgresUrl(options.url) ? openPostgres(options.url) : openSqlite(options.dataDir);
  try {
    await migrate(database.db);
    const rebuilt = await runRequestedRebuild(database.db, new Date(), (p) => console.warn(`record ${p.id} is unreadable (${p.reason}); not derived`));
    if (rebuilt?.records) console.log(`derived tables rebuilt from ${rebuilt.records} records: ${rebuilt.positions} positions, ${rebuilt.shifts} shifts`);
  } catch (error) {
    await database.close();
    throw error;
  }
  return database;
}

function openSqlite(dataDir: string): Database {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'xunfang.sqlite');
  const sqlite = new SqliteDatabase(file);
  // 16 KiB pages for a new file (an existing one keeps its own: this is a no-op in WAL mode). A
  // stored record is some 700 bytes of JSON and photos are stored in pieces, so at SQLite's default
  // 4 KiB a page held five records, and inserting one cost a third more: more page splits, more
  // log frames at each commit (bench ingest).
  sqlite.pragma('page_size = 16384');
  sqlite.pragma('journal_mode = WAL');
  // FULL: an acknowledged batch survives power loss, not only a process crash.
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // The log is reused once checkpointed; past this size it is cut back when it is.
  sqlite.pragma('journal_size_limit = 33554432');
  const checkpointer = startCheckpointer(sqlite, file);
  const db = new Kysely<Tables>({ dialect: new XunfangSqliteDialect(sqlite) });
  const notifier = inProcessNotifier();
  return { kind: 'sqlite', db, notifier, close: async () => (await notifier.close(), await checkpointer.stop(), await db.destroy()) };
}

function openPostgres(url: string): Database {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // An idle client's error (server restart) must not crash the process; the next query reconnects.
  pool.on('error', (error) => console.error('postgres pool error:', error.message));
  const db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) });
  const notifier = postgresNotifier(url);
  return { kind: 'postgres', db, notifier, close: async () => (await notifier.close(), await db.destroy()) };
}

async function migrate(db: Kysely<Tables>): Promise<void> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    const detail = error instanceof Error ? error.message : String(error ?? '');
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${detail}`);
  }
}
