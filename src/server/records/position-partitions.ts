import { sql, type Kysely } from 'kysely';
import { isPostgres } from '../db/dialect.js';
import type { Tables } from '../db/schema.js';

// On PostgreSQL `positions` is range-partitioned by month of fix_at (migration 0004), with a
// default partition for anything else. A month gets its own partition the first time a fix of it
// is written, but only near the present: a device's fix time is its own claim, and a forged
// spread of years must not make thousands of tables. SQLite has one plain table: nothing to do.

/** How many months back from now a fix still earns its month a partition. */
const MONTHS_BACK = 24;
/** How many months ahead (a fix may be up to a day ahead of the server's clock). */
const MONTHS_AHEAD = 1;

/** Months known to have a partition, per database (tests open many in one process). */
const known = new WeakMap<Kysely<Tables>, Set<string>>();

/** Makes sure each month of `fixAts` near `now` has its partition. Call outside the writing transaction. */
export async function ensurePositionPartitions(db: Kysely<Tables>, fixAts: Iterable<string>, now: Date): Promise<void> {
  if (!isPostgres(db)) return;
  let seen = known.get(db);
  if (!seen) known.set(db, (seen = new Set()));
  const nowIndex = now.getUTCFullYear() * 12 + now.getUTCMonth();
  const wanted = new Set<string>();
  for (const fixAt of fixAts) {
    const month = fixAt.slice(0, 7);
    const match = /^(\d{4})-(\d{2})$/.exec(month);
    if (!match || seen.has(month)) continue;
    const index = Number(match[1]) * 12 + Number(match[2]) - 1;
    if (index >= nowIndex - MONTHS_BACK && index <= nowIndex + MONTHS_AHEAD) wanted.add(month);
  }
  for (const month of wanted) {
    await createMonth(db, month);
    seen.add(month);
  }
}

/** The partition of one month ('YYYY-MM'), created if missing, with that month's rows moved out of the default one. */
async function createMonth(db: Kysely<Tables>, month: string): Promise<void> {
  const name = `positions_y${month.slice(0, 4)}m${month.slice(5, 7)}`;
  if (await exists(db, name)) return;
  const [year, mon] = month.split('-').map(Number) as [number, number];
  const from = `${month}-01T00:00:00.000Z`;
  const to = new Date(Date.UTC(year, mon, 1)).toISOString(); // mon is 1-based: this is the next month
  await db.transaction().execute(async (trx) => {
    // WARNING: writers wait here, readers do not. Without it a concurrent insert could put a row of
    // this month into the default partition after the move, and the attach would fail.
    await sql`lock table positions in exclusive mode`.execute(trx);
    if (await exists(trx, name)) return; // another process made it while we waited
    await sql`create table ${sql.table(name)} (like positions including defaults)`.execute(trx);
    await sql`with moved as (delete from positions_default where fix_at >= ${from} and fix_at < ${to} returning *)
      insert into ${sql.table(name)} select * from moved`.execute(trx);
    await sql`alter table positions attach partition ${sql.table(name)} for values from (${sql.lit(from)}) to (${sql.lit(to)})`.execute(trx);
  });
}

async function exists(db: Kysely<Tables>, name: string): Promise<boolean> {
  const { rows } = await sql<{ found: string | null }>`select to_regclass(${name})::text as found`.execute(db);
  return rows[0]?.found != null;
}
