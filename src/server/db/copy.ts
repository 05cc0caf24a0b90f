import { CompiledQuery, type Transaction } from 'kysely';
import { from as copyFrom } from 'pg-copy-streams';
import type { Tables } from './schema.js';

// PostgreSQL's bulk path, COPY … FROM STDIN, inside a Kysely transaction. COPY inserts rows
// many at a time and logs them together: a push batch's records cost PostgreSQL some 10 µs each
// by COPY against 16 by INSERT … SELECT FROM json_to_recordset (bench/ingest.ts), and the rows go
// as tab-separated text, without JSON's repeated keys and escaped quotes.
//
// Kysely's pg driver hands a query's `sql` to pg's client.query, which runs any object with a
// `submit` method as a query of its own and returns it; the driver awaits what it gets. So the
// COPY stream goes in as the query, made thenable: it settles once PostgreSQL has taken (or
// refused) every row, and the transaction's connection is the one it runs on.

/** A COPY stream that writes `data` once PostgreSQL is ready for it, and that Kysely can await. */
function copyQuery(statement: string, data: string): CompiledQuery {
  const stream = copyFrom(statement);
  const done = new Promise<{ command: string; rowCount: number; rows: [] }>((resolve, reject) => {
    stream.on('finish', () => resolve({ command: 'COPY', rowCount: stream.rowCount, rows: [] }));
    stream.on('error', reject);
  });
  const submit = stream.submit.bind(stream);
  // One write of the whole text, after the COPY is sent: there is never a second chunk waiting
  // on the socket when PostgreSQL refuses a row.
  // (pg takes whatever submit returns for an error: return nothing.)
  stream.submit = (connection) => {
    submit(connection);
    stream.end(data);
  };
  const thenable = Object.assign(stream, { then: done.then.bind(done) });
  return { ...CompiledQuery.raw('copy'), sql: thenable as unknown as string };
}

/** A value in COPY's text format: `\N` for null, and backslash, tab and line breaks escaped. */
function copyValue(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  const text = String(value);
  return /[\\\t\n\r]/.test(text) ? text.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c]!) : text;
}
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/**
 * Copies `rows` into `table`, all or nothing: a row that breaks a constraint (a unique key
 * already stored) fails the COPY with PostgreSQL's error, and the transaction with it, so callers
 * run it inside a savepoint.
 */
export async function copyRows<T extends keyof Tables & string>(
  trx: Transaction<Tables>,
  table: T,
  columns: ReadonlyArray<keyof Tables[T] & string>,
  rows: ReadonlyArray<Tables[T]>,
): Promise<void> {
  let data = '';
  for (const row of rows) data += columns.map((name) => copyValue(row[name])).join('\t') + '\n';
  await trx.executeQuery(copyQuery(`copy "${table}" (${columns.map((name) => `"${name}"`).join(', ')}) from stdin`, data));
}
