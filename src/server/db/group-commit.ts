import { sql, type Kysely, type Transaction } from 'kysely';
import { isPostgres, sqliteLog } from './dialect.js';
import type { Tables } from './schema.js';

// Group commit for push on SQLite. Every COMMIT fsyncs the log (synchronous = FULL: a device
// deletes a record once acknowledged, so an acknowledged record must survive power loss), some
// 8 ms here, on the event loop, since better-sqlite3 is synchronous: a thousand phones pushing
// six records each made a thousand fsyncs. Batches that are ready to store in the same turn of
// the event loop are stored in one transaction instead, each inside its own savepoint, so one
// batch's failure undoes its own writes and nothing else. Durability is unchanged: no batch's
// promise settles before the log holding its COMMIT is on disk. That fsync runs on libuv's pool
// (dialect.ts WriteAheadLog), not inside the COMMIT on the event loop, so requests are answered
// and the next group is stored while the disk writes. PostgreSQL commits concurrent
// transactions side by side on its own (and groups their log flushes itself), so there each
// batch keeps its own transaction.

type Work<T> = (trx: Transaction<Tables>) => Promise<T>;

interface Waiting {
  work: Work<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

const groups = new WeakMap<Kysely<Tables>, Waiting[]>();

/**
 * Runs `work` in a transaction that commits before the returned promise settles; on SQLite,
 * shared with the other works asked for in the same turn. A work that throws is rolled back
 * alone and its promise rejects; the others still commit.
 */
export function storeInGroup<T>(db: Kysely<Tables>, work: Work<T>): Promise<T> {
  if (isPostgres(db)) return db.transaction().execute(work);
  return new Promise<T>((resolve, reject) => {
    let waiting = groups.get(db);
    if (!waiting) {
      groups.set(db, (waiting = []));
      // After this turn's I/O callbacks: every batch whose checks ended in it joins.
      setImmediate(() => {
        groups.delete(db);
        void commitGroup(db, waiting ?? []);
      });
    }
    waiting.push({ work: work as Work<unknown>, resolve: resolve as (value: unknown) => void, reject });
  });
}

async function commitGroup(db: Kysely<Tables>, group: readonly Waiting[]): Promise<void> {
  const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
  const log = sqliteLog(db);
  try {
    // The connection is held from before BEGIN to after COMMIT, so the deferral covers this
    // group's COMMIT and no other statement.
    await db.connection().execute(async (connection) => {
      log?.deferSync();
      try {
        await connection.transaction().execute(async (trx) => {
          for (const { work } of group) {
            await sql`savepoint push_batch`.execute(trx);
            try {
              outcomes.push({ ok: true, value: await work(trx) });
            } catch (error) {
              await sql`rollback to push_batch`.execute(trx);
              outcomes.push({ ok: false, error });
            }
            await sql`release push_batch`.execute(trx);
          }
        });
      } finally {
        log?.endDeferral();
      }
    });
    await log?.sync();
  } catch (error) {
    // The COMMIT (or a savepoint statement) failed: nothing of the group is stored. Or the log
    // could not be flushed: stored, maybe not durable, so not acknowledged; sent again, the
    // records are answered as duplicates once a flush succeeds.
    for (const { reject } of group) reject(error);
    return;
  }
  group.forEach(({ resolve, reject }, i) => {
    const outcome = outcomes[i];
    if (outcome?.ok) resolve(outcome.value);
    else reject(outcome?.error);
  });
}
