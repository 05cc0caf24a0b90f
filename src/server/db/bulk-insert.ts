import type { Database as SqliteHandle, Statement } from 'better-sqlite3';
import { sql, type Transaction } from 'kysely';
import { sqliteHandle } from './dialect.js';
import type { Tables } from './schema.js';

// The inserts of ingest, a thousand rows a batch, without Kysely's query building: on SQLite one
// cached prepared statement run row by row inside the transaction (a multi-row VALUES of 9,000
// bound variables was compiled and prepared anew for every batch), on PostgreSQL one statement
// per table per batch, its columns sent as arrays and unnested (one parameter per column instead
// of one per value, so the server parses a few hundred bytes of SQL, not 9,000 placeholders).

type BulkTable = 'records' | 'positions';
type Row<T extends BulkTable> = Tables[T];
/** A column of the table, with its PostgreSQL type for unnest. */
export type BulkColumns<T extends BulkTable> = ReadonlyArray<readonly [keyof Row<T> & string, 'text' | 'integer' | 'double precision']>;

/**
 * Inserts the rows, leaving out each one that clashes with a row already stored on any unique
 * key, and returns the `key` column of those that went in. Call inside the storing transaction.
 */
export async function insertNew<T extends BulkTable>(
  trx: Transaction<Tables>,
  table: T,
  columns: BulkColumns<T>,
  key: keyof Row<T> & string,
  rows: ReadonlyArray<Row<T>>,
): Promise<Set<unknown>> {
  const inserted = new Set<unknown>();
  if (rows.length === 0) return inserted;
  const handle = sqliteHandle(trx);
  if (handle) {
    const names = columns.map(([name]) => name);
    const statement = prepared(
      handle,
      `insert into "${table}" (${names.map((n) => `"${n}"`).join(', ')}) values (${names.map(() => '?').join(', ')}) on conflict do nothing`,
    );
    const values: unknown[] = new Array(names.length);
    for (const row of rows) {
      for (let i = 0; i < names.length; i++) values[i] = row[names[i] as keyof Row<T>];
      if (statement.run(values).changes > 0) inserted.add(row[key]);
    }
    return inserted;
  }
  const arrays = columns.map(([name, type]) => sql`${rows.map((row) => row[name as keyof Row<T>])}::${sql.raw(type)}[]`);
  const { rows: returned } = await sql<Record<string, unknown>>`insert into ${sql.table(table)} (${sql.join(columns.map(([name]) => sql.ref(name)))})
    select * from unnest(${sql.join(arrays)}) on conflict do nothing returning ${sql.ref(key)}`.execute(trx);
  for (const row of returned) inserted.add(row[key]);
  return inserted;
}

const statements = new WeakMap<SqliteHandle, Map<string, Statement>>();

function prepared(handle: SqliteHandle, text: string): Statement {
  let cache = statements.get(handle);
  if (!cache) statements.set(handle, (cache = new Map()));
  let statement = cache.get(text);
  if (!statement) cache.set(text, (statement = handle.prepare(text)));
  return statement;
}
