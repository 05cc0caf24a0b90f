import { execFileSync } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../../src/domain/ids.js';
import type { LoginResponse } from '../../../src/domain/protocol/auth.js';
import type { PushResponse } from '../../../src/domain/protocol/sync.js';
import type { SignedRecord } from '../../../src/domain/records.js';
import { openDatabase, type Database } from '../../../src/server/db/index.js';
import { rebuildDerived } from '../../../src/server/records/derived.js';
import { positionBody, TestDevice } from '../device.js';
import { Client, DATABASES, freshStorage, PASSWORD, spawnServer, stopServer } from '../harness.js';
import { LiveStream } from '../live-stream.js';

// Several server processes on one PostgreSQL (issue 17). Each test talks to two real processes of
// the built server, started as `npm start` starts one, on their own ports over one database: a
// request is pinned to the process it is sent to, so whatever passes here passed through the
// database and nothing else (with WORKERS=2 on one port, the kernel would pick the process).

describe('WORKERS on SQLite', () => {
  it('stops the start with a clear message: several processes need PostgreSQL', async () => {
    const storage = await freshStorage('sqlite');
    try {
      await expect(spawnServer({ ...storage.env, WORKERS: '2' })).rejects.toThrow(/exited with 1:\ncannot start: WORKERS=2 needs PostgreSQL/);
      await expect(spawnServer({ ...storage.env, WORKERS: 'abc' })).rejects.toThrow(/cannot start: WORKERS must be a whole number 1–64, got "abc"/);
    } finally {
      await storage.drop();
    }
  });
});

for (const kind of DATABASES.filter((k) => k === 'postgres')) {
  describe('two server processes on one PostgreSQL', () => {
    let storage: Awaited<ReturnType<typeof freshStorage>>;
    let a: Awaited<ReturnType<typeof spawnServer>>;
    let b: Awaited<ReturnType<typeof spawnServer>>;
    let database: Database;

    beforeAll(async () => {
      storage = await freshStorage(kind);
      // One after the other: the first seeds the demo, the second finds it.
      a = await spawnServer({ ...storage.env, DEMO_PASSWORD: PASSWORD });
      b = await spawnServer({ ...storage.env, DEMO_PASSWORD: PASSWORD });
      database = await openDatabase({ url: storage.env.DATABASE_URL, dataDir: storage.env.DATA_DIR });
    }, 60_000);
    afterAll(async () => {
      await database?.close();
      await Promise.all([a && stopServer(a.child), b && stopServer(b.child)]);
      await storage?.drop();
    });

    /** Signs in on `url` and returns the client and the user's id. */
    const signIn = async (url: string, badge: string) => {
      const client = new Client(url);
      const response = await client.login(badge);
      expect(response.status).toBe(200);
      const { user } = (await response.json()) as LoginResponse;
      return { client, id: user.id, squadId: user.squadId ?? '' };
    };
    /** The same client (same cookie) aimed at the other process. */
    const on = (client: Client, url: string) => Object.assign(new Client(url), { cookie: client.cookie });
    const push = async (client: Client, records: unknown[]) => {
      const response = await client.request('POST', '/api/sync/push', { records });
      expect(response.status).toBe(200);
      return ((await response.json()) as PushResponse).results.map((r) => r.status);
    };
    const count = async (table: 'records' | 'positions', officerId: string) =>
      Number(
        (
          await database.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll().as('n'))
            .where('officer_id', '=', officerId)
            .executeTakeFirstOrThrow()
        ).n,
      );

    it('are two processes of the built server, on two ports', () => {
      expect(a.child.pid).not.toBe(b.child.pid);
      expect(a.url).not.toBe(b.url);
      expect(b.banner).toContain('the one printed when this database was first seeded');
    });

    it('honour a session made on one at the other, and a sign-out on one ends it on both', async () => {
      const { client } = await signIn(a.url, 'J002');
      const atB = on(client, b.url);
      expect((await atB.request('GET', '/api/auth/session')).status).toBe(200);
      expect((await atB.request('POST', '/api/auth/logout')).status).toBe(200);
      expect((await client.request('GET', '/api/auth/session')).status).toBe(401);
      expect((await on(client, b.url).request('GET', '/api/auth/session')).status).toBe(401);
    });

    it('lock a badge after five failed sign-ins spread over both, on both', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await new Client(i % 2 ? b.url : a.url).login('J003', 'wrong password')).status);
      expect(statuses).toEqual([401, 401, 401, 401, 423]);
      // The right password is refused everywhere while the lock lasts.
      expect((await new Client(a.url).login('J003')).status).toBe(423);
      expect((await new Client(b.url).login('J003')).status).toBe(423);
    });

    it('store the same batch pushed to both at once once: accepted by one, duplicate at the other', async () => {
      const { client, id, squadId } = await signIn(a.url, 'J001');
      const device = await TestDevice.create(id);
      expect((await device.register(client)).status).toBe(201);
      const shiftId = newId();
      const records: SignedRecord[] = [await device.next('shift.start', { shiftId, squadId, members: [id], equipment: [], zoneIds: [] })];
      for (let i = 0; i < 200; i++) records.push(await device.next('position', positionBody(shiftId, i)));

      const before = { records: await count('records', id), positions: await count('positions', id) };
      const [first, second] = await Promise.all([push(client, records), push(on(client, b.url), records)]);
      const answers = [first, second].map((statuses) => [...new Set(statuses)]).sort();
      expect(answers).toEqual([['accepted'], ['duplicate']]);
      expect(await count('records', id)).toBe(before.records + 201);
      expect(await count('positions', id)).toBe(before.positions + 200);
    });

    it('derive from two batches of one shift stored at once by both exactly what a rebuild derives', async () => {
      const { client, id, squadId } = await signIn(b.url, 'J004');
      const device = await TestDevice.create(id);
      expect((await device.register(client)).status).toBe(201);
      const shiftId = newId();
      // A zigzag, 30 s and some 200 m between fixes: every other fix alone draws a different line.
      const start = Date.now() - 4 * 3_600_000;
      const at = (i: number) => new Date(start + i * 30_000);
      const fix = (i: number) => ({ ...positionBody(shiftId, i), lat: 23.11 + i * 1e-4, lon: 114.41 + (i % 2) * 2e-3, fixAt: at(i).toISOString() });
      const records: SignedRecord[] = [await device.next('shift.start', { shiftId, squadId, members: [id], equipment: [], zoneIds: [] }, at(0))];
      for (let i = 1; i <= 400; i++) records.push(await device.next('position', fix(i), at(i)));
      // Interleaved halves, so each batch's fixes fall between the other's in every ten-minute bucket.
      const even = records.filter((_, i) => i % 2 === 0);
      const odd = records.filter((_, i) => i % 2 === 1);
      const [x, y] = await Promise.all([push(client, even), push(on(client, a.url), odd)]);
      expect([...x, ...y].every((s) => s === 'accepted')).toBe(true);

      const derived = async () => ({
        cells: await database.db.selectFrom('coverage_cells').selectAll().where('officer_id', '=', id).orderBy(['cell', 'bucket']).execute(),
        shiftCells: await database.db.selectFrom('coverage_shift_cells').selectAll().where('officer_id', '=', id).orderBy('cell').execute(),
        // When the server heard it and the change counter are the moment of writing, not derived.
        live: (await database.db.selectFrom('officer_live').selectAll().where('officer_id', '=', id).execute()).map(
          ({ heard_at: _heard, version: _version, ...derived }) => derived,
        ),
      });
      const atIngest = await derived();
      expect(atIngest.cells.length).toBeGreaterThan(0);
      await rebuildDerived(database.db, { now: new Date(), onUnreadable: () => undefined });
      expect(atIngest).toEqual(await derived());
    });

    it('carry a live update made through one to a subscriber on the other', async () => {
      const leader = await signIn(b.url, 'L001');
      const stream = await LiveStream.open(b.url, leader.client);
      expect(stream.response.status).toBe(200);
      try {
        const { client, id, squadId } = await signIn(a.url, 'J002');
        const device = await TestDevice.create(id);
        expect((await device.register(client)).status).toBe(201);
        const shiftId = newId();
        const sent = Date.now();
        expect(await push(client, [await device.next('shift.start', { shiftId, squadId, members: [id], equipment: [], zoneIds: [] })])).toEqual(['accepted']);
        const events = await stream.next(1, 3_000);
        expect(events.find((e) => e.event === 'shift')?.data).toMatchObject({ officerId: id, shiftId });
        expect(Date.now() - sent).toBeLessThan(3_000);
      } finally {
        stream.close();
      }
    });
  });

  describe('WORKERS=2', () => {
    // Not in a finally: a test that times out never reaches it, and the server would outlive the run.
    const cleanups: Array<() => Promise<void>> = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });

    it('serves from two processes on one port, starts a worker again when one dies, and stops them all on SIGTERM', async () => {
      const storage = await freshStorage(kind);
      cleanups.push(storage.drop);
      const server = await spawnServer({ ...storage.env, DEMO_PASSWORD: PASSWORD, WORKERS: '2' });
      cleanups.push(() => stopServer(server.child));
      let log = '';
      server.child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
      expect(server.banner).toContain('PostgreSQL, 2 worker processes');
      const workers = () =>
        execFileSync('ps', ['--ppid', String(server.child.pid), '-o', 'pid='], { encoding: 'utf8' })
          .split('\n')
          .map((line) => Number(line.trim()))
          .filter((pid) => pid > 0);
      const [first, second] = workers();
      expect([first, second].every((pid) => pid! > 0)).toBe(true);

      const waitFor = async (done: () => boolean, what: string) => {
        const deadline = Date.now() + 15_000;
        while (!done()) {
          if (Date.now() > deadline) throw new Error(`waited 15 s for ${what}; log:\n${log}`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      };
      process.kill(first!, 'SIGKILL');
      // A connection the primary hands to a worker at the instant it dies is lost (node:cluster
      // hands over accepted sockets): clients retry, the test waits until the primary knows.
      await waitFor(() => log.includes(`worker ${first} killed by SIGKILL; starting another`), 'the primary to notice');
      // The other worker answers meanwhile, sign-in and all.
      expect((await fetch(`${server.url}/api/health`, { signal: AbortSignal.timeout(5_000) })).status).toBe(200);
      expect((await new Client(server.url).login('L002')).status).toBe(200);
      await waitFor(() => workers().length === 2 && !workers().includes(first!), 'a new worker');
      expect(workers()).toContain(second);

      const all = workers();
      const exit = new Promise<number | null>((resolve) => server.child.once('exit', (code) => resolve(code)));
      server.child.kill('SIGTERM');
      expect(await exit).toBe(0);
      const alive = all.filter((pid) => {
        try {
          process.kill(pid, 0);
          return true;
        } catch {
          return false;
        }
      });
      expect(alive).toEqual([]);
    }, 60_000);
  });
}
