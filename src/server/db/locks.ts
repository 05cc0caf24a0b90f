import { sql, type Kysely, type Transaction } from 'kysely';
import { isPostgres } from './dialect.js';
import type { Tables } from './schema.js';

/** The first key of every officer lock: a namespace, so another kind of advisory lock never collides. */
const OFFICER_RECORDS = 0x78660001;

/**
 * Makes the transaction wait for any other one storing this officer's records, in any server
 * process, until it commits. WARNING: the derived tables are read-modify-write per officer (a
 * coverage bucket is derived again, whole, from the stored fixes around a new one; the officer's
 * live row keeps the newest fix): two batches of one officer stored side by side would each read
 * the fixes without the other's and the later commit would drop the earlier one's cells. After the
 * lock, PostgreSQL's read-committed statements see what the earlier transaction committed.
 * SQLite has one writer at a time already.
 */
export async function lockOfficerRecords(trx: Transaction<Tables>, officerId: string): Promise<void> {
  if (!isPostgres(trx as Kysely<Tables>)) return;
  await sql`select pg_advisory_xact_lock(${OFFICER_RECORDS}, hashtext(${officerId}))`.execute(trx);
}
