import type { Database as SqliteHandle, Statement } from 'better-sqlite3';
import { sql, type Transaction } from 'kysely';
import { copyRows } from './copy.js';
import { sqliteHandle } from './dialect.js';
import type { Tables } from './schema.js';

// The inserts of ingest, a thousand rows a batch, without Kysely's query building: on SQLite one
// cached prepared statement run row by row inside the transaction (a multi-row VALUES of 9,000
// bound variables was compiled and prepared anew for every batch), on PostgreSQL a COPY per table
// per batch (copy.ts). When a row is already there (a device resending what it was not told was
// stored), one statement per table instead, its rows sent as one JSON parameter and read back by
// json_to_recordset (the server parses a few hundred bytes of SQL, not 9,000 placeholders; and
// JSON.stringify is native, where node-postgres writes array parameters element by element,
// escaping each string with two regular expressions: a stored record's JSON is full of quotes).

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
  // Fresh rows, as nearly every push's are, go in by COPY; a row already stored refuses the whole
  // COPY, and then the batch goes in by the insert that skips what clashes.
  await sql`savepoint bulk_copy`.execute(trx);
  try {
    await copyRows(
      trx,
      table,
      columns.map(([name]) => name),
      rows,
    );
    await sql`release savepoint bulk_copy`.execute(trx);
    return new Set(rows.map((row) => row[key]));
  } catch (error) {
    if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
    await sql`rollback to savepoint bulk_copy`.execute(trx);
  }
  const names = sql.join(columns.map(([name]) => sql.ref(name)));
  const types = sql.join(columns.map(([name, type]) => sql`${sql.ref(name)} ${sql.raw(type)}`));
  const { rows: returned } = await sql<Record<string, unknown>>`insert into ${sql.table(table)} (${names})
    select ${names} from json_to_recordset(${JSON.stringify(rows)}::json) as r(${types}) on conflict do nothing returning ${sql.ref(key)}`.execute(trx);
  for (const row of returned) inserted.add(row[key]);
  return inserted;
}

/** PostgreSQL's SQLSTATE for a duplicate key. */
const UNIQUE_VIOLATION = '23505';

const statements = new WeakMap<SqliteHandle, Map<string, Statement>>();

function prepared(handle: SqliteHandle, text: string): Statement {
  let cache = statements.get(handle);
  if (!cache) statements.set(handle, (cache = new Map()));
  let statement = cache.get(text);
  if (!statement) cache.set(text, (statement = handle.prepare(text)));
  return statement;
}
