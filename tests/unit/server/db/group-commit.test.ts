import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type Transaction } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { storeInGroup } from '../../../../src/server/db/group-commit.js';
import { openDatabase, type Database } from '../../../../src/server/db/index.js';
import type { Tables } from '../../../../src/server/db/schema.js';

// Push batches ready in the same turn share one SQLite transaction and one fsync
// (db/group-commit.ts); each is still all or nothing on its own.

let opened: { database: Database; dir: string } | null = null;
afterEach(async () => {
  await opened?.database.close();
  if (opened) rmSync(opened.dir, { recursive: true, force: true });
  opened = null;
});

async function open(): Promise<Database> {
  const dir = mkdtempSync(join(tmpdir(), 'xf-group-commit-'));
  const database = await openDatabase({ dataDir: dir });
  opened = { database, dir };
  await sql`create table batches (id text primary key, batch text not null)`.execute(database.db);
  return database;
}

const rows = async (database: Database) => (await sql<{ id: string }>`select id from batches order by id`.execute(database.db)).rows.map((r) => r.id);

describe('group commit on SQLite', () => {
  it('stores the batches asked for in one turn in one transaction, and undoes a failing one alone', async () => {
    const database = await open();
    const seen: Array<Transaction<Tables>> = [];
    const batch = (name: string, fail = false) =>
      storeInGroup(database.db, async (trx) => {
        seen.push(trx);
        await sql`insert into batches (id, batch) values (${`${name}-1`}, ${name}), (${`${name}-2`}, ${name})`.execute(trx);
        if (fail) throw new Error(`${name} failed after writing`);
        return name;
      });
    const outcomes = await Promise.allSettled([batch('a'), batch('b', true), batch('c')]);
    expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : String(o.reason)))).toEqual(['a', 'Error: b failed after writing', 'c']);
    expect(await rows(database)).toEqual(['a-1', 'a-2', 'c-1', 'c-2']);
    // One transaction for the three: one COMMIT, one fsync of the log.
    expect(new Set(seen).size).toBe(1);
  });

  it('acknowledges no batch before its rows are committed, and gives a later turn its own transaction', async () => {
    const database = await open();
    // A second connection sees only what is committed: asked the moment each batch is acknowledged.
    const { default: Sqlite } = await import('better-sqlite3');
    const other = new Sqlite(join(opened!.dir, 'xunfang.sqlite'), { readonly: true });
    const count = () => (other.prepare('select count(*) as n from batches').get() as { n: number }).n;
    try {
      const seenAtAck = await Promise.all(
        ['x', 'y'].map((id) => storeInGroup(database.db, (trx) => sql`insert into batches (id, batch) values (${id}, ${id})`.execute(trx)).then(count)),
      );
      expect(seenAtAck).toEqual([2, 2]);
    } finally {
      other.close();
    }
    let inner: Transaction<Tables> | null = null;
    let outer: Transaction<Tables> | null = null;
    await storeInGroup(database.db, async (trx) => (outer = trx));
    await storeInGroup(database.db, async (trx) => (inner = trx));
    expect(inner).not.toBe(outer);
  });
});
