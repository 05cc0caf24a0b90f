import { PostgresAdapter, type Kysely } from 'kysely';

/** True on PostgreSQL: the few places that differ (partitions, TRUNCATE) ask this. */
export function isPostgres<DB>(db: Kysely<DB>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}
