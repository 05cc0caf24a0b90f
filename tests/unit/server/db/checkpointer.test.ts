import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../../../src/server/db/index.js';

// The server's SQLite connection leaves checkpoints to a worker thread (db/checkpointer.ts):
// what is committed must still reach the database file, and the log must not grow without end.

const opened: Array<{ database: Database; dir: string }> = [];
afterEach(async () => {
  for (const { database, dir } of opened.splice(0)) {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

async function open(): Promise<{ database: Database; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'xf-checkpoint-'));
  const entry = { database: await openDatabase({ dataDir: dir }), dir };
  opened.push(entry);
  return entry;
}

const sizeOf = (path: string) => statSync(path, { throwIfNoEntry: false })?.size ?? 0;

/** About 2 MB of rows in one transaction, as a large push writes. */
const writeMegabytes = (database: Database) =>
  sql`insert into filler select hex(randomblob(1000)) from (with recursive c(n) as (select 1 union all select n + 1 from c where n < 1000) select n from c)`.execute(
    database.db,
  );

async function until(condition: () => boolean, ms = 10_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!condition() && Date.now() < deadline) await sleep(50);
  return condition();
}

describe('SQLite checkpoints off the event loop', () => {
  it('brings committed rows into the database file without the server connection checkpointing', async () => {
    const { database, dir } = await open();
    await sql`create table filler (x text)`.execute(database.db);
    const file = join(dir, 'xunfang.sqlite');
    const before = sizeOf(file);
    for (let i = 0; i < 5; i++) await writeMegabytes(database);
    // The server's own connection never checkpoints now; only the worker can move the pages.
    const { rows } = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(database.db);
    expect(rows[0]?.wal_autocheckpoint).toBe(0);
    expect(await until(() => sizeOf(file) >= before + 10_000_000)).toBe(true);
  }, 30_000);

  it('keeps reusing the log instead of growing it with every batch', async () => {
    const { database, dir } = await open();
    await sql`create table filler (x text)`.execute(database.db);
    const log = join(dir, 'xunfang.sqlite-wal');
    // About 50 MB written in all, a pause after every 2 MB as between pushes.
    for (let i = 0; i < 25; i++) {
      await writeMegabytes(database);
      await sleep(100);
    }
    expect(sizeOf(log)).toBeLessThan(30_000_000);
    const { rows } = await sql<{ n: number }>`select count(*) as n from filler`.execute(database.db);
    expect(rows[0]?.n).toBe(25_000);
    // Seconds of writing on a busy shared machine.
  }, 60_000);
});
