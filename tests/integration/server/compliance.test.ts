import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EARTH_RADIUS_M } from '../../../src/domain/geo.js';
import { newId } from '../../../src/domain/ids.js';
import type { ApiErrorBody } from '../../../src/domain/protocol/api.js';
import type { CheckinsResponse, ComplianceResponse } from '../../../src/domain/protocol/compliance.js';
import type { PullResponse } from '../../../src/domain/protocol/sync.js';
import type { RecordOf } from '../../../src/domain/records.js';
import { TestDevice } from '../device.js';
import { Client, DATABASES, startServer, type TestServer } from '../harness.js';

// Demo checkpoints of squad A's "every shift" plan (seed.ts): the first three of its zones.
const BANK = { id: '0190a1f0-0000-7000-8000-300000000003', lon: 114.4118, lat: 23.1068 }; // a 50 m circle, 60 s dwell
const STATION = '0190a1f0-0000-7000-8000-300000000002';
const FIRST = '0190a1f0-0000-7000-8000-300000000001';
const EVERY_SHIFT_PLAN = '0190a1f0-0000-7000-8000-500000000002';

/** A point `m` metres east of the bank's centre. */
const eastOfBank = (m: number) => ({ lat: BANK.lat, lon: BANK.lon + (m / (EARTH_RADIUS_M * Math.cos((BANK.lat * Math.PI) / 180))) * (180 / Math.PI) });

describe.each(DATABASES)('check-in verification and plan compliance on %s', (kind) => {
  let server: TestServer;
  let clients: Record<string, Client>;
  let ids: Record<string, string>;
  let squadA: string;
  let device: TestDevice;
  const shiftId = newId();
  let claims: Record<string, RecordOf<'checkin'>>;

  beforeAll(async () => {
    server = await startServer(kind);
    const users = await server.database.db.selectFrom('users').select(['id', 'badge', 'squad_id']).execute();
    ids = Object.fromEntries(users.map((u) => [u.badge, u.id]));
    squadA = users.find((u) => u.badge === 'J001')?.squad_id ?? '';
    clients = {};
    for (const badge of ['J001', 'J002', 'J003', 'J004', 'L001', 'L002', 'S001']) {
      clients[badge] = new Client(server.url);
      await clients[badge].login(badge);
    }
    device = await TestDevice.create(ids.J001!);
    await device.register(clients.J001!);
    // The shift below starts an hour after the device was registered, as a real one does.
    server.clock.advance(3 * 3600_000);

    // A shift two hours ago: 80 s standing at the bank (a fix every 10 s, a few metres apart),
    // a check-in claimed there from those fixes, one claimed at a checkpoint never visited, and a
    // manual one at the station with nothing behind it.
    const t0 = server.clock.now().getTime() - 2 * 3600_000;
    const at = (s: number) => new Date(t0 + s * 1000);
    const records: unknown[] = [await device.next('shift.start', { shiftId, squadId: squadA, members: [ids.J001!], equipment: [], zoneIds: [] }, at(0))];
    const inside: string[] = [];
    for (let s = 600; s <= 680; s += 10) {
      const p = eastOfBank(((s / 10) % 3) * 4);
      const position = await device.next('position', { shiftId, lat: p.lat, lon: p.lon, accuracy: 6, fixAt: at(s).toISOString() }, at(s));
      inside.push(position.id);
      records.push(position);
    }
    claims = {
      bank: await device.next(
        'checkin',
        { shiftId, checkpointId: BANK.id, method: 'geofence', enteredAt: at(600).toISOString(), dwellS: 80, evidence: inside },
        at(681),
      ),
      forged: await device.next(
        'checkin',
        { shiftId, checkpointId: FIRST, method: 'geofence', enteredAt: at(600).toISOString(), dwellS: 80, evidence: inside },
        at(682),
      ),
      manual: await device.next(
        'checkin',
        { shiftId, checkpointId: STATION, method: 'manual', enteredAt: at(700).toISOString(), dwellS: 0, evidence: [], reason: 'no-gps' },
        at(700),
      ),
    };
    records.push(claims.bank, claims.forged, claims.manual);
    records.push(await device.next('shift.end', { shiftId, equipmentReturned: [] }, at(3600)));
    const pushed = (await (await clients.J001!.request('POST', '/api/sync/push', { records })).json()) as { results: Array<{ status: string }> };
    expect(pushed.results.every((r) => r.status === 'accepted')).toBe(true);
  });
  afterAll(() => server.close());

  const get = async <T>(badge: string, path: string) => {
    const response = await clients[badge]!.request('GET', path);
    return { status: response.status, body: (await response.json()) as T };
  };

  it('verifies a check-in the track backs, and calls a claim the track never reaches unsupported', async () => {
    const { status, body } = await get<CheckinsResponse>('S001', `/api/checkins?officerId=${ids.J001}`);
    expect(status).toBe(200);
    const verdicts = Object.fromEntries(body.checkins.map((c) => [c.id, c]));
    expect(verdicts[claims.bank!.id]).toMatchObject({ verdict: 'verified', method: 'geofence', insideFixes: 9 });
    expect(verdicts[claims.forged!.id]).toMatchObject({ verdict: 'unsupported', insideFixes: 0 });
    expect(verdicts[claims.manual!.id]).toMatchObject({ verdict: 'unsupported', method: 'manual', reason: 'no-gps' });
  });

  it('brings an officer the verdicts on their own check-ins through pull, with every pull, and nobody else’s', async () => {
    const verdictsPulled = async (badge: string, cursor = '0') => {
      const page = (await get<PullResponse>(badge, `/api/sync/pull?cursor=${cursor}`)).body;
      return { cursor: page.cursor, verdicts: Object.fromEntries(page.changes.filter((c) => c.entity === 'checkin-verdict').map((c) => [c.id, c.data])) };
    };
    const first = await verdictsPulled('J001');
    expect(first.verdicts).toEqual({
      [claims.bank!.id]: { id: claims.bank!.id, verdict: 'verified', verdictReason: 'ok' },
      [claims.forged!.id]: { id: claims.forged!.id, verdict: 'unsupported', verdictReason: 'evidence-outside' },
      [claims.manual!.id]: { id: claims.manual!.id, verdict: 'unsupported', verdictReason: 'outside' },
    });
    // Derived, not versioned: a pull with nothing new since its cursor still says where each stands.
    expect((await verdictsPulled('J001', first.cursor)).verdicts).toEqual(first.verdicts);
    expect((await verdictsPulled('J002')).verdicts).toEqual({});
    expect((await verdictsPulled('L001')).verdicts).toEqual({});
  });

  it('counts only verified check-ins toward the plan, per shift and per checkpoint', async () => {
    const { body } = await get<ComplianceResponse>('L001', '/api/compliance');
    const shift = body.shifts.find((s) => s.shiftId === shiftId);
    expect(shift?.checkins).toEqual({ verified: 1, weak: 0, unsupported: 2 });
    const everyShift = shift?.requirements.filter((r) => r.planId === '0190a1f0-0000-7000-8000-500000000002');
    expect(everyShift?.map((r) => [r.checkpointId, r.status])).toEqual([
      [FIRST, 'missed'],
      [STATION, 'missed'],
      [BANK.id, 'done'],
    ]);
    const bank = body.checkpoints.find((c) => c.checkpointId === BANK.id);
    expect(bank).toMatchObject({ needed: 1, met: 1, verified: 1, ratio: 1 });
    expect(shift?.completion).toEqual({ met: 1, required: shift?.requirements.filter((r) => r.status !== 'upcoming').length, ratio: expect.any(Number) });
    expect(bank?.lastVerifiedAt).toBe(claims.bank!.body.enteredAt);
    expect(body.checkpoints.find((c) => c.checkpointId === FIRST)).toMatchObject({ needed: 1, met: 0, unsupported: 1, ratio: 0 });
  });

  it('gives the same answer when the evidence arrives after the check-in', async () => {
    // A second device of J002 pushes its check-in first and its fixes later (a different
    // batch order), as a device coming back from hours offline might: the verdict follows.
    const late = await TestDevice.create(ids.J002!);
    await late.register(clients.J002!);
    server.clock.advance(2 * 3600_000); // the shift below starts an hour after this registration
    const t0 = server.clock.now().getTime() - 3600_000;
    const at = (s: number) => new Date(t0 + s * 1000);
    const lateShift = newId();
    const start = await late.next('shift.start', { shiftId: lateShift, squadId: squadA, members: [ids.J002!], equipment: [], zoneIds: [] }, at(0));
    const fixes = [];
    for (let s = 10; s <= 90; s += 10)
      fixes.push(await late.next('position', { shiftId: lateShift, lat: BANK.lat, lon: BANK.lon, accuracy: 5, fixAt: at(s).toISOString() }, at(s)));
    const checkin = await late.next(
      'checkin',
      { shiftId: lateShift, checkpointId: BANK.id, method: 'geofence', enteredAt: at(10).toISOString(), dwellS: 80, evidence: fixes.map((f) => f.id) },
      at(91),
    );
    await clients.J002!.request('POST', '/api/sync/push', { records: [start, checkin] });
    const before = await get<CheckinsResponse>('J002', '/api/checkins');
    expect(before.body.checkins.map((c) => c.verdict)).toEqual(['unsupported']);
    await clients.J002!.request('POST', '/api/sync/push', { records: fixes });
    const after = await get<CheckinsResponse>('J002', '/api/checkins');
    expect(after.body.checkins.map((c) => c.verdict)).toEqual(['verified']);
  });

  it('holds a shift to the plans of the officer’s squad on the roster, whatever squad the device names', async () => {
    const other = await TestDevice.create(ids.J004!);
    await other.register(clients.J004!);
    const claimedShift = newId();
    const start = await other.next(
      'shift.start',
      { shiftId: claimedShift, squadId: squadA, members: [ids.J004!], equipment: [], zoneIds: [] },
      new Date(server.clock.now().getTime() - 3600_000),
    );
    await clients.J004!.request('POST', '/api/sync/push', { records: [start] });
    const { body } = await get<ComplianceResponse>('L002', '/api/compliance');
    const shift = body.shifts.find((s) => s.shiftId === claimedShift);
    expect(new Set(shift?.requirements.map((r) => r.planId))).toEqual(new Set(['0190a1f0-0000-7000-8000-500000000003']));
  });

  it('scopes check-ins and compliance by role', async () => {
    expect((await get<CheckinsResponse>('J001', '/api/checkins')).body.checkins).toHaveLength(3);
    expect((await get<CheckinsResponse>('J004', '/api/checkins')).body.checkins).toEqual([]);
    expect((await get<ApiErrorBody>('J004', `/api/checkins?officerId=${ids.J001}`)).status).toBe(403);
    expect((await get<ApiErrorBody>('L002', `/api/compliance?officerId=${ids.J001}`)).status).toBe(403);
    expect((await get<ComplianceResponse>('L002', '/api/compliance')).body.shifts.map((s) => s.badge)).toEqual(['J004']);
    expect((await get<ComplianceResponse>('S001', '/api/compliance')).body.shifts.map((s) => s.badge).sort()).toEqual(['J001', 'J002', 'J004']);
    expect((await new Client(server.url).request('GET', '/api/compliance')).status).toBe(401);
  });

  it('calls a check-in that cites another officer’s fixes of the same shift id unsupported', async () => {
    const thief = await TestDevice.create(ids.J002!);
    await thief.register(clients.J002!);
    const evidence = claims.bank!.body.evidence;
    const claim = await thief.next(
      'checkin',
      { shiftId, checkpointId: BANK.id, method: 'geofence', enteredAt: claims.bank!.body.enteredAt, dwellS: 80, evidence },
      new Date(Date.parse(claims.bank!.at) + 1000),
    );
    await clients.J002!.request('POST', '/api/sync/push', { records: [claim] });
    const { body } = await get<CheckinsResponse>('L001', '/api/checkins');
    expect(body.checkins.find((c) => c.id === claim.id)).toMatchObject({ officerId: ids.J002, verdict: 'unsupported', verdictReason: 'evidence-missing' });
    expect(body.checkins.find((c) => c.id === claims.bank!.id)?.verdict).toBe('verified');
  });

  it('answers a bad window with a 400 that says what is wrong', async () => {
    const reversed = await get<ApiErrorBody>('S001', '/api/compliance?from=2026-11-29T10:00:00.000Z&to=2026-11-29T09:00:00.000Z');
    expect(reversed).toEqual({ status: 400, body: { error: 'bad-request', message: 'from must not be after to' } });
    const sloppy = await get<ApiErrorBody>('S001', '/api/checkins?from=yesterday');
    expect(sloppy.status).toBe(400);
    expect(sloppy.body.message).toMatch(/^from: must be a real instant since 2020-01-01, ISO 8601/);
    expect((await get<ApiErrorBody>('S001', '/api/compliance?from=2026-01-01T00:00:00.000Z&to=2026-11-29T00:00:00.000Z')).body.message).toBe(
      'the window may span at most 31 days',
    );
  });

  it('leaves out a check-in altered in the database into an unreadable one, and still answers', async () => {
    await server.database.db
      .updateTable('records')
      .set({ record: JSON.stringify({ ...claims.manual!, body: { ...claims.manual!.body, dwellS: 'long' } }) })
      .where('id', '=', claims.manual!.id)
      .execute();
    const checkins = await get<CheckinsResponse>('S001', `/api/checkins?officerId=${ids.J001}`);
    expect(checkins.status).toBe(200);
    expect(checkins.body.checkins.map((c) => c.id).sort()).toEqual([claims.bank!.id, claims.forged!.id].sort());
    const { status, body } = await get<ComplianceResponse>('L001', '/api/compliance');
    expect(status).toBe(200);
    expect(body.shifts.find((s) => s.shiftId === shiftId)?.checkins).toEqual({ verified: 1, weak: 0, unsupported: 1 });
  });

  describe('a shift J003 opens standing at the bank, its first fix taken 6 s before the start', () => {
    let opened: string;
    let early: RecordOf<'checkin'>;
    const everyShiftOf = (c: ComplianceResponse) => c.shifts.find((s) => s.shiftId === opened)!.requirements.filter((r) => r.planId === EVERY_SHIFT_PLAN);

    beforeAll(async () => {
      const j003 = await TestDevice.create(ids.J003!);
      await j003.register(clients.J003!);
      server.clock.advance(2 * 3600_000);
      opened = newId();
      const t0 = server.clock.now().getTime() - 30 * 60_000;
      const at = (s: number) => new Date(t0 + s * 1000);
      const records: unknown[] = [
        await j003.next('shift.start', { shiftId: opened, squadId: squadA, members: [ids.J003!], equipment: [], zoneIds: [] }, at(0)),
      ];
      const inside: string[] = [];
      for (let s = -6; s <= 116; s += 10) {
        const p = eastOfBank(((s + 6) / 10) % 3);
        const position = await j003.next('position', { shiftId: opened, lat: p.lat, lon: p.lon, accuracy: 5, fixAt: at(s).toISOString() }, at(Math.max(s, 1)));
        inside.push(position.id);
        records.push(position);
      }
      // A device from before the rule wrote the visit's true start, 6 s before the shift's.
      early = await j003.next(
        'checkin',
        { shiftId: opened, checkpointId: BANK.id, method: 'geofence', enteredAt: at(-6).toISOString(), dwellS: 122, evidence: inside },
        at(117),
      );
      records.push(early);
      const pushed = (await (await clients.J003!.request('POST', '/api/sync/push', { records })).json()) as { results: Array<{ status: string }> };
      expect(pushed.results.map((r) => r.status)).toEqual(records.map(() => 'accepted'));
    });

    it('counts the verified check-in of a visit under way when the shift started', async () => {
      const { body } = await get<ComplianceResponse>('L001', `/api/compliance?officerId=${ids.J003}`);
      expect(body.shifts.find((s) => s.shiftId === opened)?.checkins).toEqual({ verified: 1, weak: 0, unsupported: 0 });
      expect(everyShiftOf(body).map((r) => [r.checkpointId, r.status])).toEqual([
        [FIRST, 'due'],
        [STATION, 'due'],
        [BANK.id, 'done'],
      ]);
    });

    it('tells the leader the share of the visits owed so far that are met while the shift is open, not 100 %', async () => {
      const { body } = await get<ComplianceResponse>('L001', `/api/compliance?officerId=${ids.J003}`);
      const shift = body.shifts.find((s) => s.shiftId === opened)!;
      const owed = shift.requirements.filter((r) => r.status !== 'upcoming');
      const met = owed.filter((r) => r.status === 'done').length;
      // The every-shift plan alone owes three, of which the bank is met; the night plan may owe more.
      expect(owed.length).toBeGreaterThanOrEqual(3);
      expect(shift.completion).toEqual({ met, required: owed.length, ratio: met / owed.length });
      expect(shift.completion.ratio).toBeLessThan(1);
    });
  });
});
