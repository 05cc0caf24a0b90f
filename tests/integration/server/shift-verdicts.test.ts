import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../../src/domain/ids.js';
import type { AuditShiftsResponse, AuditTrackResponse } from '../../../src/domain/protocol/track-audit.js';
import type { PushResponse } from '../../../src/domain/protocol/sync.js';
import type { SignedRecord } from '../../../src/domain/records.js';
import { positionBody, TestDevice } from '../device.js';
import { Client, DATABASES, startServer, type TestServer } from '../harness.js';

// The route audit's shift list, filtered by verdict: each shift's verdict is the one opening it
// shows, cached, and computed again when a record that may change it arrives, whatever the order.

describe.each(DATABASES)('the route audit’s shift list by verdict on %s', (kind) => {
  let server: TestServer;
  const clients: Record<string, Client> = {};
  let ids: Record<string, string>;
  let squads: Record<string, string>;
  const devices: Record<string, TestDevice> = {};
  /** Shift ids by what each is made to be. */
  const shifts: Record<string, string> = {};
  /** Records of the late shifts, kept back to be pushed later. */
  let heldBack: SignedRecord[] = [];
  let tamperable: SignedRecord[] = [];
  let lateFirstSeq = 0;
  let hour = 0;

  const push = async (badge: string, records: readonly SignedRecord[]) => {
    const response = await clients[badge]!.request('POST', '/api/sync/push', { records });
    expect(((await response.json()) as PushResponse).results.filter((r) => r.status !== 'accepted')).toEqual([]);
  };

  /** A shift of 20 fixes on the badge's device, an hour of its own; `pauseAt` puts a signed pause before that fix. */
  const shift = async (badge: string, options: { pauseAt?: number } = {}) => {
    const device = devices[badge]!;
    const shiftId = newId();
    const start = server.clock.now().getTime() - 48 * 3600_000 + hour++ * 3600_000;
    const records: SignedRecord[] = [
      await device.next('shift.start', { shiftId, squadId: squads[badge]!, members: [ids[badge]!], equipment: [], zoneIds: [] }, new Date(start)),
      await device.next('tracking', { shiftId, state: 'on', reason: 'shift-start' }, new Date(start + 500)),
    ];
    for (let i = 0; i < 20; i++) {
      const at = new Date(start + 1000 + i * 5000);
      if (i === options.pauseAt)
        records.push(await device.next('tracking', { shiftId, state: 'paused', reason: 'page-hidden' }, new Date(at.getTime() - 1000)));
      records.push(await device.next('position', positionBody(shiftId, i, at), at));
    }
    records.push(await device.next('shift.end', { shiftId, equipmentReturned: [] }, new Date(start + 200_000)));
    return { shiftId, records };
  };

  const list = async (viewer: string, query = '') => {
    const response = await clients[viewer]!.request(
      'GET',
      `/api/audit/shifts?from=${new Date(server.clock.now().getTime() - 72 * 3600_000).toISOString()}${query}`,
    );
    return { status: response.status, body: (await response.json()) as AuditShiftsResponse };
  };
  const verdictOf = async (shiftId: string) => (await list('S001')).body.shifts.find((s) => s.shiftId === shiftId)?.verdict;

  beforeAll(async () => {
    server = await startServer(kind);
    const users = await server.database.db.selectFrom('users').select(['id', 'badge', 'squad_id']).execute();
    ids = Object.fromEntries(users.map((u) => [u.badge, u.id]));
    squads = Object.fromEntries(users.map((u) => [u.badge, u.squad_id ?? '']));
    for (const badge of ['J001', 'J002', 'J004', 'L001', 'L002', 'S001']) {
      clients[badge] = new Client(server.url);
      await clients[badge].login(badge);
    }
    for (const badge of ['J001', 'J002', 'J004']) {
      devices[badge] = await TestDevice.create(ids[badge]!);
      expect((await devices[badge].register(clients[badge]!)).status).toBe(201);
    }
    const intact = await shift('J001');
    await push('J001', intact.records);
    shifts.intact = intact.shiftId;
    const tampered = await shift('J001');
    await push('J001', tampered.records);
    shifts.tampered = tampered.shiftId;
    tamperable = tampered.records;
    const paused = await shift('J002', { pauseAt: 10 });
    await push('J002', paused.records);
    shifts.paused = paused.shiftId;
    const squadB = await shift('J004');
    await push('J004', squadB.records);
    shifts.squadB = squadB.shiftId;
    // Two shifts on one phone that comes back late: the second's records arrive first, and one
    // record in its middle, and the whole first shift (whose last record its chain links to), later.
    const early = await shift('J001');
    const late = await shift('J001');
    shifts.early = early.shiftId;
    shifts.late = late.shiftId;
    const missing = late.records[10]!;
    lateFirstSeq = late.records[0]!.seq;
    await push(
      'J001',
      late.records.filter((r) => r !== missing),
    );
    heldBack = [missing, ...early.records];
  });
  afterAll(() => server.close());

  it('gives every shift the verdict opening it shows: intact, gaps explained, and records missing while some have not arrived', async () => {
    const { status, body } = await list('S001');
    expect(status).toBe(200);
    const verdicts = Object.fromEntries(body.shifts.map((s) => [s.shiftId, s.verdict]));
    expect(verdicts).toEqual({
      [shifts.intact!]: 'intact',
      [shifts.tampered!]: 'intact',
      [shifts.paused!]: 'gaps-explained',
      [shifts.squadB!]: 'intact',
      [shifts.late!]: 'altered',
    });
    // The same verdict the shift's track answers with, and the screen shows.
    for (const s of body.shifts) {
      const track = (await (await clients.S001!.request('GET', `/api/audit/track?officerId=${s.officerId}&shiftId=${s.shiftId}`)).json()) as AuditTrackResponse;
      expect(track.verdict).toBe(s.verdict);
    }
    expect(body.shifts.map((s) => s.startedAt)).toEqual(
      body.shifts
        .map((s) => s.startedAt)
        .sort()
        .reverse(),
    );
    expect(body.shifts.find((s) => s.shiftId === shifts.paused)).toMatchObject({ badge: 'J002', officerId: ids.J002, squadId: squads.J002 });
  });

  it('computes a late shift again when its records arrive, in any order, and then calls it intact', async () => {
    expect(await verdictOf(shifts.late!)).toBe('altered');
    // The record missing from the middle arrives: the start of the chain is still missing.
    await push('J001', heldBack.slice(0, 1));
    expect(await verdictOf(shifts.late!)).toBe('altered');
    const track = (await (await clients.S001!.request('GET', `/api/audit/track?officerId=${ids.J001}&shiftId=${shifts.late}`)).json()) as AuditTrackResponse;
    expect(track.verification.devices[0]!.gaps).toEqual([{ from: lateFirstSeq - 1, to: lateFirstSeq - 1 }]);
    // The earlier shift arrives, last record first: the chain now links from seq 1.
    await push('J001', heldBack.slice(1).reverse());
    expect(await verdictOf(shifts.late!)).toBe('intact');
    expect(await verdictOf(shifts.early!)).toBe('intact');
  });

  it('filters by verdict, and refuses a verdict it does not know', async () => {
    const altered = await list('S001', '&verdict=gaps-explained');
    expect(altered.body.shifts.map((s) => s.shiftId)).toEqual([shifts.paused]);
    const bad = await list('S001', '&verdict=fine');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: 'bad-request' });
  });

  it('shows a shift tampered with in the database as altered once it is looked at again, in the list too', async () => {
    expect(await verdictOf(shifts.tampered!)).toBe('intact');
    const edited = tamperable[8]!;
    if (edited.kind !== 'position') throw new Error('not a position');
    const moved = { ...edited, body: { ...edited.body, lat: edited.body.lat + 0.001 } };
    await server.database.db
      .updateTable('records')
      .set({ record: JSON.stringify(moved) })
      .where('id', '=', edited.id)
      .execute();
    // The list's cached verdict holds until the shift's records are read again: opening it does.
    const track = (await (
      await clients.S001!.request('GET', `/api/audit/track?officerId=${ids.J001}&shiftId=${shifts.tampered}`)
    ).json()) as AuditTrackResponse;
    expect(track.verdict).toBe('altered');
    expect(await verdictOf(shifts.tampered!)).toBe('altered');
    expect((await list('S001', '&verdict=altered')).body.shifts.map((s) => s.shiftId)).toEqual([shifts.tampered]);
    // Emptied, as a rebuild of the derived tables does, every verdict is found again from the records.
    await server.database.db.deleteFrom('shift_verdicts').execute();
    expect(await verdictOf(shifts.tampered!)).toBe('altered');
    expect(await verdictOf(shifts.intact!)).toBe('intact');
  });

  it('lists a leader their squad’s shifts, a supervisor the unit’s, an officer only their own', async () => {
    const officersOf = async (viewer: string, query = '') => new Set((await list(viewer, query)).body.shifts.map((s) => s.badge));
    expect(await officersOf('S001')).toEqual(new Set(['J001', 'J002', 'J004']));
    expect(await officersOf('L001')).toEqual(new Set(['J001', 'J002']));
    expect(await officersOf('L002')).toEqual(new Set(['J004']));
    expect(await officersOf('J001')).toEqual(new Set(['J001']));
    expect(await officersOf('S001', `&squadId=${squads.J004}`)).toEqual(new Set(['J004']));
    expect(await officersOf('S001', `&officerId=${ids.J002}`)).toEqual(new Set(['J002']));
    expect((await list('J001', `&officerId=${ids.J002}`)).status).toBe(403);
    expect((await list('L001', `&officerId=${ids.J004}`)).status).toBe(403);
    expect((await clients.L002!.request('GET', `/api/audit/track?officerId=${ids.J001}&shiftId=${shifts.intact}`)).status).toBe(403);
    expect((await new Client(server.url).request('GET', '/api/audit/shifts')).status).toBe(401);
  });

  it('answers a shift it does not know with 404, and a shift with a window too with 400', async () => {
    expect((await clients.S001!.request('GET', `/api/audit/track?officerId=${ids.J002}&shiftId=${shifts.intact}`)).status).toBe(404);
    const both = await clients.S001!.request('GET', `/api/audit/track?officerId=${ids.J001}&shiftId=${shifts.intact}&from=2026-11-28T00:00:00.000Z`);
    expect(both.status).toBe(400);
  });
});
