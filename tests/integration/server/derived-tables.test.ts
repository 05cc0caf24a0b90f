import { spawn } from 'node:child_process';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, sql, SqliteDialect } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../../src/domain/ids.js';
import type { PushResponse } from '../../../src/domain/protocol/sync.js';
import type { BodyOf, SignedRecord } from '../../../src/domain/records.js';
import { openDatabase, type DbKind } from '../../../src/server/db/index.js';
import { migrationProvider } from '../../../src/server/db/migrations.js';
import type { Tables } from '../../../src/server/db/schema.js';
import { seedDemo } from '../../../src/server/demo/seed.js';
import { positionBody, TestDevice } from '../device.js';
import { Client, DATABASES, freshStorage, PASSWORD, startServer, TestClock, type TestServer } from '../harness.js';

const HOUR = 3600_000;

/** Every row of both derived tables, in a fixed order. */
async function snapshot(db: Kysely<Tables>) {
  return {
    positions: await db.selectFrom('positions').selectAll().orderBy('record_id').execute(),
    shifts: await db.selectFrom('shifts').selectAll().orderBy('officer_id').orderBy('shift_id').execute(),
  };
}

/** Runs `npm run rebuild-derived`'s script against the server's database, as an operator would beside it. */
function runRebuild(env: { DATA_DIR: string; DATABASE_URL: string }): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/rebuild-derived.ts'], { env: { ...process.env, ...env } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(output) : reject(new Error(`rebuild-derived exited with ${code}:\n${output}`))));
  });
}

describe.each(DATABASES)('derived tables on %s', (kind) => {
  let server: TestServer;
  let clients: Record<string, Client>;
  let ids: Record<string, string>;
  let squadA: string;

  beforeAll(async () => {
    server = await startServer(kind);
    const users = await server.database.db.selectFrom('users').select(['id', 'badge', 'squad_id']).execute();
    ids = Object.fromEntries(users.map((u) => [u.badge, u.id]));
    squadA = users.find((u) => u.badge === 'J001')?.squad_id ?? '';
    clients = {};
    for (const badge of ['J001', 'J002']) {
      clients[badge] = new Client(server.url);
      await clients[badge].login(badge);
    }
  });
  afterAll(() => server.close());

  const push = async (badge: string, records: unknown[]) => {
    const response = await clients[badge]!.request('POST', '/api/sync/push', { records });
    return ((await response.json()) as PushResponse).results.map((r) => r.status);
  };
  const device = async (badge: string) => {
    const d = await TestDevice.create(ids[badge]!);
    await d.register(clients[badge]!);
    return d;
  };
  const startBody = (badge: string, shiftId: string): BodyOf<'shift.start'> => ({
    shiftId,
    squadId: squadA,
    members: [ids[badge]!],
    equipment: [],
    zoneIds: [],
  });
  const ago = (ms: number) => new Date(server.clock.now().getTime() - ms);

  it('writes a position row for each record it stores, and none for a duplicate or a rejected one', async () => {
    const phone = await device('J001');
    const shiftId = newId();
    const fixes = [];
    for (let i = 0; i < 3; i++) fixes.push(await phone.next('position', positionBody(shiftId, i, ago(HOUR - i * 5000)), ago(HOUR - i * 5000)));
    expect(await push('J001', fixes)).toEqual(['accepted', 'accepted', 'accepted']);
    // A duplicate, and a record J001 signed in J002's name.
    const forged = await phone.seal({ ...(({ hash: _h, sig: _s, ...rest }) => rest)(fixes[0]!), id: newId(), seq: 4, officerId: ids.J002! });
    expect(await push('J001', [fixes[1], forged])).toEqual(['duplicate', 'rejected']);

    const rows = await server.database.db.selectFrom('positions').selectAll().where('device_id', '=', phone.deviceId).orderBy('seq').execute();
    expect(rows).toEqual(
      fixes.map((f) => ({
        record_id: f.id,
        device_id: phone.deviceId,
        officer_id: ids.J001,
        shift_id: shiftId,
        seq: f.seq,
        fix_at: f.body.fixAt,
        lat: f.body.lat,
        lon: f.body.lon,
        accuracy: 8,
        speed: 1.2,
        heading: 90,
      })),
    );
  });

  it('rebuilds positions and shifts from records to exactly what ingest wrote', async () => {
    const [phone, spare, other] = [await device('J001'), await device('J001'), await device('J002')];
    const shiftId = newId();
    const laterShift = newId();
    const fixAt = [ago(2 * HOUR), ago(45 * 24 * HOUR), ago(5 * 365 * 24 * HOUR)]; // this month, last month, five years ago
    const positions: SignedRecord[] = [];
    for (const [i, at] of fixAt.entries()) positions.push(await phone.next('position', positionBody(shiftId, i, at), at));
    const start = await phone.next('shift.start', startBody('J001', shiftId), ago(3 * HOUR));
    const end = await phone.next('shift.end', { shiftId, equipmentReturned: [] }, ago(HOUR));
    // Arrives later but was written earlier: the earlier start counts, whatever the arrival order.
    const earlierStart = await spare.next('shift.start', startBody('J001', shiftId), ago(4 * HOUR));
    const laterEnd = await phone.next('shift.end', { shiftId: laterShift, equipmentReturned: [] }, ago(HOUR / 2));
    const laterStart = await spare.next('shift.start', startBody('J001', laterShift), ago(HOUR));
    const foreignEnd = await other.next('shift.end', { shiftId, equipmentReturned: [] }, ago(HOUR));

    expect(await push('J001', [...positions, start, end, laterEnd])).toEqual(Array(6).fill('accepted'));
    expect(await push('J001', [earlierStart, laterStart, positions[0]])).toEqual(['accepted', 'accepted', 'duplicate']);
    expect(await push('J002', [foreignEnd])).toEqual(['accepted']);

    const db = server.database.db;
    const shifts = await db.selectFrom('shifts').selectAll().where('shift_id', 'in', [shiftId, laterShift]).orderBy('ended_at').execute();
    expect(shifts.map((s) => [s.officer_id, s.shift_id, s.start_record_id, s.end_record_id])).toEqual([
      [ids.J001, shiftId, earlierStart.id, end.id],
      [ids.J002, shiftId, null, foreignEnd.id],
      [ids.J001, laterShift, laterStart.id, laterEnd.id],
    ]);

    const ingested = await snapshot(db);
    expect(ingested.positions.length).toBeGreaterThanOrEqual(6);
    const output = await runRebuild(server.env);
    expect(output).toMatch(/rebuilt from \d+ records in [\d.]+ s: \d+ positions, \d+ shifts/);
    expect(await snapshot(db)).toEqual(ingested);
  });

  // Partitions are PostgreSQL's; on SQLite positions is one plain table, and there is nothing to ask.
  if (kind === 'postgres')
    it('gives each recent month its own partition, which takes over the rows the default one held for it', async () => {
      const db = server.database.db;
      const partitionOf = async (recordId: string) =>
        (await sql<{ part: string }>`select tableoid::regclass::text as part from positions where record_id = ${recordId}`.execute(db)).rows[0]?.part;
      // A June row already in the default partition, as a rebuild run on a far-off clock leaves it.
      const template = await db.selectFrom('positions').selectAll().executeTakeFirstOrThrow();
      const stray = { ...template, record_id: newId(), fix_at: '2026-06-02T03:04:05.678Z' };
      await db.insertInto('positions').values(stray).execute();
      expect(await partitionOf(stray.record_id)).toBe('positions_default');

      const phone = await device('J001');
      const at = [new Date('2026-06-20T10:00:00.000Z'), ago(HOUR), ago(5 * 365 * 24 * HOUR)];
      const fixes = [];
      for (const [i, t] of at.entries()) fixes.push(await phone.next('position', positionBody(newId(), i, t), t));
      expect(await push('J001', fixes)).toEqual(['accepted', 'accepted', 'accepted']);
      expect(await Promise.all([stray.record_id, ...fixes.map((f) => f.id)].map(partitionOf))).toEqual([
        'positions_y2026m06',
        'positions_y2026m06',
        'positions_y2026m11',
        // Five years back is a device's word against the clock: no partition of its own.
        'positions_default',
      ]);
    });
});

/** A database of `kind` migrated only as far as `target`, as a server of that version left it. */
async function openAt(kind: DbKind, env: { DATA_DIR: string; DATABASE_URL: string }, target: string): Promise<Kysely<Tables>> {
  const db =
    kind === 'sqlite'
      ? new Kysely<Tables>({ dialect: new SqliteDialect({ database: new SqliteDatabase(join(env.DATA_DIR, 'xunfang.sqlite')) }) })
      : new Kysely<Tables>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: env.DATABASE_URL }) }) });
  const { error } = await new Migrator({ db, provider: migrationProvider }).migrateTo(target);
  if (error) throw error;
  return db;
}

describe.each(DATABASES)('upgrading a %s database that already holds records', (kind) => {
  it('derives positions and shifts from the records stored before the upgrade', async () => {
    const storage = await freshStorage(kind);
    try {
      const clock = new TestClock();
      // Seeded at the oldest schema the demo seed fits (it now writes the control points' approximate
      // flag): the rebuild the derived tables' migration asks for is still pending, and no record
      // has been derived.
      const old = await openAt(kind, storage.env, '0010-control-point-edits');
      await seedDemo(old, PASSWORD, clock.now());
      const officer = await old.selectFrom('users').select(['id', 'squad_id']).where('badge', '=', 'J001').executeTakeFirstOrThrow();
      const phone = await TestDevice.create(officer.id);
      await old
        .insertInto('devices')
        .values({
          id: phone.deviceId,
          officer_id: officer.id,
          public_key_jwk: JSON.stringify((await phone.registration()).publicKeyJwk),
          label: null,
          registered_at: clock.now().toISOString(),
          head_seq: 0,
          head_hash: '',
        })
        .execute();
      const shiftId = newId();
      const t0 = clock.now().getTime() - 2 * HOUR;
      const records: SignedRecord[] = [
        await phone.next('shift.start', { shiftId, squadId: officer.squad_id ?? '', members: [officer.id], equipment: [], zoneIds: [] }, new Date(t0)),
      ];
      for (let i = 1; i <= 5; i++) records.push(await phone.next('position', positionBody(shiftId, i, new Date(t0 + i * 5000)), new Date(t0 + i * 5000)));
      // Stored the way ingest stored them then: verbatim, with nothing derived.
      await old
        .insertInto('records')
        .values(
          records.map((r) => ({
            id: r.id,
            device_id: r.deviceId,
            officer_id: r.officerId,
            seq: r.seq,
            kind: r.kind,
            at: r.at,
            hash: r.hash,
            record: JSON.stringify(r),
            received_at: clock.now().toISOString(),
          })),
        )
        .execute();
      await old.destroy();

      const upgraded = await openDatabase({ url: storage.env.DATABASE_URL, dataDir: storage.env.DATA_DIR });
      try {
        const { positions, shifts } = await snapshot(upgraded.db);
        expect(positions.map((p) => p.record_id).sort()).toEqual(
          records
            .slice(1)
            .map((r) => r.id)
            .sort(),
        );
        expect(shifts).toEqual([
          {
            officer_id: officer.id,
            shift_id: shiftId,
            device_id: phone.deviceId,
            start_record_id: records[0]!.id,
            started_at: records[0]!.at,
            planned_end_at: null,
            end_record_id: null,
            ended_at: null,
          },
        ]);
        expect(await upgraded.db.selectFrom('maintenance').selectAll().execute()).toEqual([]);
      } finally {
        await upgraded.close();
      }
    } finally {
      await storage.drop();
    }
  });
});
