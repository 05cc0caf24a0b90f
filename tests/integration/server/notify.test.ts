import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresNotifier } from '../../../src/server/db/notify.js';
import { createPostgresDatabase, DATABASES } from '../harness.js';

// The LISTEN connection that wakes every server process when another one commits (notify.ts),
// against what a real PostgreSQL does to it: a restart or an administrator ends its backend.

for (const kind of DATABASES.filter((k) => k === 'postgres')) {
  describe(`the ${kind} wake-up between server processes`, () => {
    let database: Awaited<ReturnType<typeof createPostgresDatabase>>;
    let admin: pg.Client;
    beforeAll(async () => {
      database = await createPostgresDatabase();
      admin = new pg.Client({ connectionString: database.url });
      await admin.connect();
    });
    afterAll(async () => {
      await admin?.end();
      await database?.drop();
    });

    /** The backends of the test database other than the test's own. */
    const others = async () =>
      (await admin.query<{ pid: number }>('select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()')).rows.map(
        (r) => r.pid,
      );
    const terminateOthers = async () => {
      for (const pid of await others()) await admin.query('select pg_terminate_backend($1)', [pid]);
    };

    it('keeps waking its listeners after its connection is ended again and again, even while it reconnects', async () => {
      const notifier = postgresNotifier(database.url);
      let wakes = 0;
      notifier.listen('changes', () => wakes++);
      try {
        await expect.poll(others, { timeout: 10_000 }).toHaveLength(1);
        // Ended as soon as it shows, for 3 s, so at every moment of the reconnect's set-up too: an
        // error the client reported with no listener would end this process (and fail the run).
        for (const end = Date.now() + 3_000; Date.now() < end;) await terminateOthers();
        await expect.poll(others, { timeout: 20_000 }).toHaveLength(1);
        const before = wakes;
        await admin.query(`select pg_notify('changes', '')`);
        await expect.poll(() => wakes, { timeout: 5_000 }).toBeGreaterThan(before);
      } finally {
        await notifier.close();
      }
    });

    it('leaves no connection behind when closed while it is still connecting', async () => {
      await expect.poll(others, { timeout: 5_000 }).toHaveLength(0);
      const notifier = postgresNotifier(database.url);
      notifier.listen('changes', () => undefined);
      await notifier.close();
      await sleep(1_000);
      expect(await others()).toHaveLength(0);
    });
  });
}
