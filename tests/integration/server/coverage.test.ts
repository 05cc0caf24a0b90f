import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketOf, polygonCells, routePasses } from '../../../src/domain/coverage.js';
import { newId } from '../../../src/domain/ids.js';
import type { ApiErrorBody } from '../../../src/domain/protocol/api.js';
import type { CoverageResponse } from '../../../src/domain/protocol/coverage.js';
import type { PushResponse } from '../../../src/domain/protocol/sync.js';
import type { SignedRecord } from '../../../src/domain/records.js';
import { coverageResolution } from '../../../src/server/records/coverage.js';
import { rebuildDerived } from '../../../src/server/records/derived.js';
import { seededRandom } from '../../../bench/cpu.js';
import { bruteCoverage, brutePasses, expectedRows, expectedShiftRows } from '../../support/coverage-brute.js';
import { loadTrack, shiftTo, TRACE_FILES, type TracePoint } from '../../../src/simulator/traces.js';
import { TestDevice } from '../device.js';
import { Client, DATABASES, startServer, type TestServer } from '../harness.js';

// Demo zones (huicheng.ts): Qiaodong is squad A's, Qiaoxi squad B's.
const QIAODONG = '0190a1f0-0000-7000-8000-200000000002';
const QIAOXI = '0190a1f0-0000-7000-8000-200000000003';
const QIAODONG_CENTRE = { lat: 23.092, lon: 114.431 };
const HOUR = 3600_000;

describe.each(DATABASES)('beat coverage on %s', (kind) => {
  let server: TestServer;
  let clients: Record<string, Client>;
  let ids: Record<string, string>;
  let squadA: string;
  let t0: number;
  let zoneCells: Set<string>;

  const push = async (badge: string, records: readonly SignedRecord[], batch = 300) => {
    for (let i = 0; i < records.length; i += batch) {
      const response = await clients[badge]!.request('POST', '/api/sync/push', { records: records.slice(i, i + batch) });
      const statuses = ((await response.json()) as PushResponse).results.map((r) => r.status);
      expect(statuses.filter((s) => s !== 'accepted')).toEqual([]);
    }
  };

  /** A shift walking (or driving) a real trace moved to Qiaodong, a fix every `everyMs` from `startMs`; pauses at the given minutes. */
  const shift = async (badge: string, trace: TracePoint[], startMs: number, pauseMinutes: number[] = [], everyMs = 5000) => {
    const device = await TestDevice.create(ids[badge]!);
    await device.register(clients[badge]!);
    const shiftId = newId();
    const points = shiftTo(trace, QIAODONG_CENTRE).filter((p) => p.time !== null);
    const first = points[0]!.time!;
    const records: SignedRecord[] = [
      await device.next('shift.start', { shiftId, squadId: squadA, members: [ids[badge]!], equipment: [], zoneIds: [QIAODONG] }, new Date(startMs)),
    ];
    let lastKept = Number.NEGATIVE_INFINITY;
    const pauses = pauseMinutes.map((m) => startMs + m * 60_000);
    for (const p of points) {
      const at = startMs + (p.time! - first);
      if (at - lastKept < everyMs) continue;
      while (pauses.length && pauses[0]! <= at) {
        const pausedAt = new Date(pauses.shift()!);
        records.push(await device.next('tracking', { shiftId, state: 'paused', reason: 'page-hidden' }, pausedAt));
        records.push(await device.next('tracking', { shiftId, state: 'on', reason: 'page-visible' }, new Date(pausedAt.getTime() + 20_000)));
      }
      lastKept = at;
      const fixAt = new Date(at);
      records.push(await device.next('position', { shiftId, lat: p.lat, lon: p.lon, accuracy: 6, fixAt: fixAt.toISOString() }, fixAt));
    }
    return records;
  };

  const coverage = async (badge: string, query: string) => {
    const response = await clients[badge]!.request('GET', `/api/coverage?${query}`);
    return { status: response.status, body: (await response.json()) as CoverageResponse & ApiErrorBody };
  };

  beforeAll(async () => {
    server = await startServer(kind);
    const users = await server.database.db.selectFrom('users').select(['id', 'badge', 'squad_id']).execute();
    ids = Object.fromEntries(users.map((u) => [u.badge, u.id]));
    squadA = users.find((u) => u.badge === 'J001')?.squad_id ?? '';
    clients = {};
    for (const badge of ['J001', 'J002', 'J003', 'L001', 'L002', 'S001']) {
      clients[badge] = new Client(server.url);
      await clients[badge].login(badge);
    }
    t0 = server.clock.now().getTime() - 6 * HOUR;
    const zone = await server.database.db.selectFrom('zones').select('geometry').where('id', '=', QIAODONG).executeTakeFirstOrThrow();
    zoneCells = new Set(polygonCells(JSON.parse(zone.geometry) as { coordinates: number[][][] }, coverageResolution()));

    // J001 walks and syncs as it goes. J002 drives offline, a fix every 45 s (cells apart), and its
    // backlog arrives shuffled, one record at a time.
    // J003 walks with a 24-minute gap and two pauses, and the middle of its shift (a pause
    // among it) arrives last, after everything around it.
    await push('J001', await shift('J001', loadTrack(TRACE_FILES.osakaWalk), t0));
    // The Munich drive there, back and there again, one point a second (as recorded).
    const munich = loadTrack(TRACE_FILES.munichDrive);
    const thereAndBack = [...munich, ...munich.toReversed(), ...munich].map((p, i) => ({ ...p, time: i * 1000 }));
    // Fixes 45 s apart from 5 s past a bucket's start: steps straddle bucket edges, with
    // interpolated cells on both sides of the edge.
    const driveStart = bucketOf(t0 + 30 * 60_000) + 5000;
    const drive = await shift('J002', thereAndBack, driveStart, [7, 17, 27, 37, 47], 45_000);
    const random = seededRandom(13);
    const shuffled = drive
      .map((r) => ({ r, k: random() }))
      .sort((a, b) => a.k - b.k)
      .map(({ r }) => r);
    await push('J002', shuffled, 1);
    // Later J001 drives the same way online, sending every few fixes as it goes: each batch
    // extends the route's end, steps between batches included.
    await push('J001', await shift('J001', thereAndBack, driveStart + 3 * HOUR, [], 45_000), 4);
    const walk = await shift('J003', loadTrack(TRACE_FILES.osakaPause), t0 + HOUR, [10, 50]);
    const pause = walk.findIndex((r) => r.kind === 'tracking');
    const middle = walk.slice(pause - 80, pause + 80);
    await push('J003', [...walk.slice(0, pause - 80), ...walk.slice(pause + 80)]);
    await push('J003', middle);
  });
  afterAll(() => server.close());

  it('holds exactly the cells a recomputation from the stored positions gives, whatever order records came in', async () => {
    const db = server.database.db;
    const shifts = await brutePasses(db, [ids.J001!, ids.J002!, ids.J003!], coverageResolution());
    expect(shifts).toHaveLength(4);
    const stored = (await db.selectFrom('coverage_cells').selectAll().execute())
      .map((r) => [r.officer_id, r.shift_id, r.bucket, r.cell, r.first_at, r.last_at].join(' '))
      .sort();
    expect(stored.length).toBeGreaterThan(100);
    expect(stored).toEqual(expectedRows(shifts));
    const summed = async () =>
      (await db.selectFrom('coverage_shift_cells').selectAll().execute())
        .map((r) => [r.officer_id, r.shift_id, r.cell, r.first_at, r.last_at].join(' '))
        .sort();
    const wholeShifts = await summed();
    expect(wholeShifts).toEqual(expectedShiftRows(shifts));
    // The drive's pauses matter: bridged, they would claim cells the car never showed it passed.
    const bridged = shifts.map((s) => (s.officerId === ids.J002 ? { ...s, passes: routePasses(s.fixes, [], coverageResolution()) } : s));
    expect(expectedRows(bridged)).not.toEqual(stored);

    // And a rebuild from records derives the very same table.
    await rebuildDerived(db, { now: server.clock.now(), onUnreadable: () => expect.fail('no record is unreadable') });
    const rebuilt = (await db.selectFrom('coverage_cells').selectAll().execute())
      .map((r) => [r.officer_id, r.shift_id, r.bucket, r.cell, r.first_at, r.last_at].join(' '))
      .sort();
    expect(rebuilt).toEqual(stored);
    expect(await summed()).toEqual(wholeShifts);
  });

  it('derives the same cells when new fixes share a millisecond with the stored end of the route, after it or before it', async () => {
    const db = server.database.db;
    const client = new Client(server.url);
    await client.login('J004');
    const device = await TestDevice.create(ids.J004!);
    await device.register(client);
    const shiftId = newId();
    const start = t0 + 2 * HOUR;
    const walk = shiftTo(loadTrack(TRACE_FILES.osakaWalk), QIAODONG_CENTRE).filter((_, i) => i % 5 === 0);
    const fix = (i: number, at: number, north = 0) =>
      device.next('position', { shiftId, lat: walk[i]!.lat + north, lon: walk[i]!.lon, accuracy: 6, fixAt: new Date(at).toISOString() }, new Date(at));
    // Three fixes in each millisecond, sent four at a time: batches split the groups, and each
    // later batch's first fix ties with the stored end and comes after it by record id.
    const tied: SignedRecord[] = [];
    for (let i = 0; i < 60; i++) tied.push(await fix(i, start + Math.floor(i / 3) * 20_000));
    const sendAs = async (records: readonly SignedRecord[], batch: number) => {
      for (let i = 0; i < records.length; i += batch) {
        const response = await client.request('POST', '/api/sync/push', { records: records.slice(i, i + batch) });
        expect(((await response.json()) as PushResponse).results.map((r) => r.status)).toEqual(records.slice(i, i + batch).map(() => 'accepted'));
      }
    };
    await sendAs(tied, 4);
    // Two more in one millisecond, half a kilometre apart, arriving newest first: the second ties
    // with the stored end but comes before it by record id, so the steps around it are derived again.
    const at = start + 20 * 20_000;
    const [earlier, later] = [await fix(60, at, 0.005), await fix(61, at)];
    await sendAs([later!], 1);
    await sendAs([earlier!], 1);
    const shifts = await brutePasses(db, [ids.J004!], coverageResolution());
    expect(shifts[0]?.fixes).toHaveLength(62);
    const rows = async (table: 'coverage_cells' | 'coverage_shift_cells') =>
      (await db.selectFrom(table).selectAll().where('officer_id', '=', ids.J004!).execute())
        .map((r) => [r.officer_id, r.shift_id, ...('bucket' in r ? [r.bucket] : []), r.cell, r.first_at, r.last_at].join(' '))
        .sort();
    expect(new Set(shifts[0]!.passes.map((p) => p.cell)).size).toBeGreaterThan(2);
    expect(await rows('coverage_cells')).toEqual(expectedRows(shifts));
    expect(await rows('coverage_shift_cells')).toEqual(expectedShiftRows(shifts));
  });

  it("answers a leader's window with the coverage the stored positions give, per officer and for the squad", async () => {
    const db = server.database.db;
    const shifts = await brutePasses(db, [ids.J001!, ids.J002!, ids.J003!], coverageResolution());
    for (const [from, to] of [
      [t0, t0 + 12 * HOUR],
      [t0 + 40 * 60_000, t0 + 100 * 60_000],
    ] as const) {
      const { status, body } = await coverage(
        'L001',
        `zoneId=${QIAODONG}&from=${new Date(from).toISOString()}&to=${new Date(Math.min(to, server.clock.now().getTime())).toISOString()}`,
      );
      expect(status).toBe(200);
      const brute = bruteCoverage(shifts, zoneCells, Date.parse(body.from), Date.parse(body.to));
      expect(body.cellCount).toBe(zoneCells.size);
      const union = new Set([...brute.byOfficer.values()].flatMap((s) => [...s]));
      expect(union.size).toBeGreaterThan(10);
      expect(body.squad.passed).toBe(union.size);
      expect(body.squad.ratio).toBeCloseTo(union.size / zoneCells.size, 10);
      for (const badge of ['J001', 'J002', 'J003']) {
        const officer = body.officers.find((o) => o.badge === badge);
        expect(officer?.passed, badge).toBe(brute.byOfficer.get(ids[badge]!)?.size ?? 0);
      }
      const last = Object.fromEntries(body.cells.filter((c) => c.lastPassedAt).map((c) => [c.cell, Date.parse(c.lastPassedAt!)]));
      expect(last).toEqual(Object.fromEntries(brute.latest));
    }
  });

  it('lists the areas not seen for more than the hours asked, with their sizes, and the zone’s checkpoints beside', async () => {
    const { status, body } = await coverage('L001', `zoneId=${QIAODONG}&unseenHours=3`);
    expect(status).toBe(200);
    const unseenCells = body.unseen.flatMap((a) => a.cells);
    const stale = Date.parse(body.asOf) - 3 * HOUR;
    expect(new Set(unseenCells)).toEqual(new Set(body.cells.filter((c) => !c.lastPassedAt || Date.parse(c.lastPassedAt) < stale).map((c) => c.cell)));
    expect(body.unseen.reduce((sum, a) => sum + a.areaM2, 0)).toBeLessThan(body.areaM2);
    for (const area of body.unseen) expect(area.areaM2).toBeGreaterThan(area.cells.length * 10_000);
    const checkpoints = await server.database.db.selectFrom('checkpoints').select('id').where('zone_id', '=', QIAODONG).execute();
    expect(body.checkpoints.map((c) => c.checkpointId).sort()).toEqual(checkpoints.map((c) => c.id).sort());
  });

  it('lets a leader read only their squad’s zones, a supervisor their unit’s, and no officer', async () => {
    expect((await coverage('L002', `zoneId=${QIAODONG}`)).status).toBe(403);
    expect((await coverage('L001', `zoneId=${QIAOXI}`)).status).toBe(403);
    const asB = await coverage('L002', `zoneId=${QIAOXI}`);
    expect(asB.status).toBe(200);
    const supervisor = await coverage('S001', `zoneId=${QIAODONG}`);
    expect(supervisor.status).toBe(200);
    expect(supervisor.body.squad.passed).toBeGreaterThan(0);
    const officer = await coverage('J001', `zoneId=${QIAODONG}`);
    expect(officer.status).toBe(403);
    expect(officer.body.error).toBe('forbidden');
    expect((await coverage('L001', `zoneId=${newId()}`)).status).toBe(403);
    expect((await new Client(server.url).request('GET', `/api/coverage?zoneId=${QIAODONG}`)).status).toBe(401);
  });

  it('answers bad input with a 400 that says why, and changes nothing', async () => {
    const before = await server.database.db
      .selectFrom('coverage_cells')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    const now = server.clock.now().getTime();
    for (const [query, reason] of [
      ['', /zoneId/],
      ['zoneId=qiaodong', /zoneId/],
      [`zoneId=${QIAODONG}&from=yesterday`, /from/],
      [`zoneId=${QIAODONG}&from=${new Date(now).toISOString()}&to=${new Date(now - HOUR).toISOString()}`, /from must not be after to/],
      [`zoneId=${QIAODONG}&from=${new Date(now - 40 * 24 * HOUR).toISOString()}&to=${new Date(now).toISOString()}`, /31 days/],
      [`zoneId=${QIAODONG}&unseenHours=soon`, /unseenHours/],
      [`zoneId=${QIAODONG}&unseenHours=0`, /unseenHours/],
      [`zoneId=${QIAODONG}&unseenHours=1000`, /unseenHours/],
      [`zoneId=${QIAODONG}&squad=all`, /squad/],
    ] as const) {
      const { status, body } = await coverage('L001', query);
      expect(status, query).toBe(400);
      expect(body.error).toBe('bad-request');
      expect(body.message).toMatch(reason);
    }
    const after = await server.database.db
      .selectFrom('coverage_cells')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });
});
