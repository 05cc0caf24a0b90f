import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../../src/domain/ids.js';
import type { ApiErrorBody } from '../../../src/domain/protocol/api.js';
import type { OfficerLive, SosAckResponse, SosAlert, SquadLiveResponse } from '../../../src/domain/protocol/squad.js';
import type { PullResponse, PushResponse } from '../../../src/domain/protocol/sync.js';
import { deviceNow, positionBody, TestDevice } from '../device.js';
import { Client, DATABASES, startServer, type TestServer } from '../harness.js';
import { LiveStream, type SseEvent } from '../live-stream.js';

// The leader's live squad and SOS (issue 13), over HTTP and the live channel.
describe.each(DATABASES)('the live squad and SOS on %s', (kind) => {
  let server: TestServer;
  const clients: Record<string, Client> = {};
  let ids: Record<string, string>;
  let squads: Record<string, string>;
  const streams: LiveStream[] = [];
  let device: TestDevice;
  let shiftId: string;

  const push = async (badge: string, records: unknown[]) => {
    const response = await clients[badge]!.request('POST', '/api/sync/push', { records });
    return ((await response.json()) as PushResponse).results;
  };
  const snapshot = async (badge: string, query = '') => {
    const response = await clients[badge]!.request('GET', `/api/squad/live${query}`);
    return { status: response.status, body: (await response.json()) as SquadLiveResponse & ApiErrorBody };
  };
  const watch = async (badge: string, headers: Record<string, string> = {}) => {
    const stream = await LiveStream.open(server.url, clients[badge]!, headers);
    streams.push(stream);
    return stream;
  };
  /** Events of a kind a stream has received within `ms`. */
  const eventsOf = async (stream: LiveStream, kind: string, atLeast = 1, ms = 1_500) => {
    const deadline = Date.now() + ms;
    const ofKind = (events: SseEvent[]) => events.filter((e) => e.event === kind);
    let all = await stream.next(0, 0);
    while (ofKind(all).length < atLeast && Date.now() < deadline) all = await stream.next(all.length + 1, deadline - Date.now());
    return ofKind(all);
  };
  const fix = (i: number, minutesAgo: number) => positionBody(shiftId, i, new Date(deviceNow().getTime() - minutesAgo * 60_000));

  beforeAll(async () => {
    server = await startServer(kind, { liveHeartbeatMs: 500 });
    const users = await server.database.db.selectFrom('users').select(['id', 'badge', 'squad_id']).execute();
    ids = Object.fromEntries(users.map((u) => [u.badge, u.id]));
    squads = Object.fromEntries(users.map((u) => [u.badge, u.squad_id ?? '']));
    for (const badge of ['J001', 'J002', 'J004', 'L001', 'L002', 'S001']) {
      clients[badge] = new Client(server.url);
      await clients[badge].login(badge);
    }
    device = await TestDevice.create(ids.J001!);
    await device.register(clients.J001!);
    shiftId = newId();
    const start = await device.next('shift.start', { shiftId, squadId: squads.J001!, members: [ids.J001!], equipment: [], zoneIds: [] });
    expect((await push('J001', [start]))[0]?.status).toBe('accepted');
  });
  afterAll(async () => {
    streams.forEach((s) => s.close());
    await server.close();
  });

  it('refuses bad input with a reason and changes nothing; never a 500', async () => {
    expect((await fetch(`${server.url}/api/squad/live`)).status).toBe(401);
    expect((await snapshot('J001')).status).toBe(403);
    const bad = await snapshot('L001', '?squadId=squad-a');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/squadId/);
    expect((await snapshot('L001', '?colour=red')).status).toBe(400);
    // A leader asking for another squad is refused, not shown an empty one.
    expect((await snapshot('L001', `?squadId=${squads.J004}`)).status).toBe(403);

    const malformed = await clients.L001!.request('POST', '/api/sos/not-an-id/ack');
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as ApiErrorBody).message).toMatch(/SOS alert id/);
    expect((await clients.L001!.request('POST', `/api/sos/${newId()}/ack`)).status).toBe(404);
    expect((await clients.J001!.request('POST', `/api/sos/${newId()}/ack`)).status).toBe(403);

    const unsigned = await device.next('sos', { alertId: newId(), shiftId, state: 'raised', fix: null });
    const [wrongState] = await push('J001', [{ ...unsigned, body: { ...unsigned.body, state: 'panic' } }]);
    expect(wrongState).toMatchObject({ status: 'rejected', reason: expect.stringMatching(/state: must be raised or cancelled/) });
    device.head = { seq: device.head.seq - 1, hash: unsigned.prev }; // that record was never stored
    const ahead = new Date(deviceNow().getTime() + 2 * 24 * 3600_000).toISOString();
    const future = await device.next('sos', { alertId: newId(), shiftId, state: 'raised', fix: { lat: 23.11, lon: 114.41, accuracy: 5, fixAt: ahead } });
    expect((await push('J001', [future]))[0]).toMatchObject({ status: 'rejected', reason: 'future-timestamp' });
    device.head = { seq: device.head.seq - 1, hash: future.prev };
    const count = await server.database.db
      .selectFrom('sos_alerts')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(0);
  });

  it('sends an officer’s new position to their squad’s leader and the unit’s supervisor only, and the snapshot agrees', async () => {
    const watching = Object.fromEntries(await Promise.all(['J002', 'J004', 'L001', 'L002', 'S001'].map(async (b) => [b, await watch(b)] as const)));
    const last = fix(3, 0);
    const results = await push('J001', [
      await device.next('position', fix(1, 0.2)),
      await device.next('position', fix(2, 0.1)),
      await device.next('position', last),
    ]);
    expect(results.map((r) => r.status)).toEqual(['accepted', 'accepted', 'accepted']);

    const got = async (badge: string) => (await eventsOf(watching[badge]!, 'position')).length;
    expect(Object.fromEntries(await Promise.all(Object.keys(watching).map(async (b) => [b, await got(b)] as const)))).toEqual({
      J002: 0,
      J004: 0,
      L001: 1,
      L002: 0,
      S001: 1,
    });
    // One event per push, carrying the newest fix of it.
    const [event] = await eventsOf(watching.L001!, 'position');
    const data = event!.data as unknown as OfficerLive;
    expect(data.officerId).toBe(ids.J001);
    expect(data.position).toMatchObject({ lat: last.lat, lon: last.lon, fixAt: last.fixAt, seq: device.head.seq });

    const leader = await snapshot('L001');
    expect(leader.status).toBe(200);
    const mine = leader.body.officers.filter((o) => o.officerId === ids.J001);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ badge: 'J001', shift: { id: shiftId }, position: { lat: last.lat, fixAt: last.fixAt }, version: Number(event!.id) });
    expect(mine[0]!.heardAt).toBe(server.clock.now().toISOString());
    expect((await snapshot('L002')).body.officers.map((o) => o.badge)).toEqual([]);
    expect((await snapshot('S001')).body.officers.map((o) => o.badge)).toEqual(['J001']);
    expect((await snapshot('S001', `?squadId=${squads.J004}`)).body.officers).toEqual([]);
    expect((await snapshot('S001')).body.squads.map((s) => s.code)).toEqual(['A', 'B']);
  });

  it('keeps the newest fix by device order: a backlog arriving late never moves the officer back, nor makes an event', async () => {
    const stream = await watch('L001');
    // The device was offline: these were made earlier (lower seq) but their push only now
    // arrives, after a newer fix sent first (as SOS fixes jump the queue).
    const backlog = [await device.next('position', fix(10, 30)), await device.next('position', fix(11, 29))];
    const paused = await device.next('tracking', { shiftId, state: 'paused', reason: 'page-hidden' });
    const resumed = await device.next('tracking', { shiftId, state: 'on', reason: 'page-visible' });
    const newest = await device.next('position', fix(12, 0));
    expect((await push('J001', [newest, resumed])).map((r) => r.status)).toEqual(['accepted', 'accepted']);
    expect(await eventsOf(stream, 'position')).toHaveLength(1);
    expect((await push('J001', [...backlog, paused])).map((r) => r.status)).toEqual(['accepted', 'accepted', 'accepted']);
    expect(await eventsOf(stream, 'position', 2, 800)).toHaveLength(1);

    const [j001] = (await snapshot('L001')).body.officers;
    expect(j001).toMatchObject({ position: { seq: newest.seq, fixAt: newest.body.fixAt }, tracking: { state: 'on', reason: 'page-visible' } });
  });

  it('replays missed position events once after a reconnect, and the snapshot lists each officer once', async () => {
    const first = await watch('L001');
    await push('J001', [await device.next('position', fix(20, 0))]);
    const [seen] = await eventsOf(first, 'position');
    first.close();
    await push('J001', [await device.next('position', fix(21, 0))]);
    await push('J001', [await device.next('position', fix(22, 0))]);
    const resumed = await watch('L001', { 'last-event-id': seen!.id! });
    const replayed = await eventsOf(resumed, 'position', 2);
    expect(replayed.map((e) => (e.data as unknown as OfficerLive).position?.lat)).toEqual([fix(21, 0).lat, fix(22, 0).lat]);
    expect(await eventsOf(resumed, 'position', 3, 500)).toHaveLength(2);
    const { officers } = (await snapshot('L001')).body;
    expect(officers.map((o) => o.badge)).toEqual(['J001']);
    expect(officers[0]!.version).toBe(Number(replayed[1]!.id));
  });

  it('raises an SOS to the squad’s command, records who acknowledged it and when, and tells the officer', async () => {
    const watching = Object.fromEntries(await Promise.all(['J001', 'J002', 'L001', 'L002', 'S001'].map(async (b) => [b, await watch(b)] as const)));
    const alertId = newId();
    const where = fix(30, 0);
    const raise = await device.next('sos', { alertId, shiftId, state: 'raised', fix: { lat: where.lat, lon: where.lon, accuracy: 6, fixAt: where.fixAt } });
    expect((await push('J001', [raise]))[0]?.status).toBe('accepted');

    const got = async (badge: string) => (await eventsOf(watching[badge]!, 'sos')).length;
    expect(Object.fromEntries(await Promise.all(Object.keys(watching).map(async (b) => [b, await got(b)] as const)))).toEqual({
      J001: 1,
      J002: 0,
      L001: 1,
      L002: 0,
      S001: 1,
    });
    const raised = (await eventsOf(watching.L001!, 'sos'))[0]!.data as unknown as SosAlert;
    expect(raised).toMatchObject({ id: alertId, officer: { badge: 'J001' }, raisedAt: raise.at, fix: { lat: where.lat }, ackedAt: null, cancelledAt: null });
    const [listed] = (await snapshot('S001')).body.officers;
    expect(listed?.sos).toMatchObject({ id: alertId, ackedAt: null });

    // Out of scope looks like unknown: the other squad's leader cannot acknowledge it.
    expect((await clients.L002!.request('POST', `/api/sos/${alertId}/ack`)).status).toBe(404);
    const ack = await clients.L001!.request('POST', `/api/sos/${alertId}/ack`);
    expect(ack.status).toBe(200);
    const { alert } = (await ack.json()) as SosAckResponse;
    expect(alert).toMatchObject({ ackedBy: { badge: 'L001' }, ackedAt: server.clock.now().toISOString() });
    const again = await clients.S001!.request('POST', `/api/sos/${alertId}/ack`);
    expect(again.status).toBe(409);
    expect(((await again.json()) as ApiErrorBody).message).toMatch(/already acknowledged/);

    // The officer hears it live and through pull.
    const toOfficer = await eventsOf(watching.J001!, 'sos', 2);
    expect((toOfficer[1]!.data as unknown as SosAlert).ackedBy?.badge).toBe('L001');
    const pulled = (await (await clients.J001!.request('GET', '/api/sync/pull?cursor=0')).json()) as PullResponse;
    expect(pulled.changes.find((c) => c.entity === 'sos' && c.id === alertId)?.data).toMatchObject({ ackedBy: { badge: 'L001' } });
    const audit = await server.database.db.selectFrom('audit_events').select(['kind', 'badge']).where('kind', '=', 'sos-ack').execute();
    expect(audit).toEqual([{ kind: 'sos-ack', badge: 'L001' }]);

    // The officer cancels: recorded and announced, the acknowledgement kept.
    const cancel = await device.next('sos', { alertId, shiftId, state: 'cancelled', fix: null });
    expect((await push('J001', [cancel]))[0]?.status).toBe('accepted');
    const cancelled = (await eventsOf(watching.L001!, 'sos', 3)).map((e) => e.data as unknown as SosAlert).at(-1);
    expect(cancelled).toMatchObject({ cancelledAt: cancel.at, ackedBy: { badge: 'L001' } });
    // Another officer naming the same alert id changes nothing of it.
    const other = await TestDevice.create(ids.J002!);
    await other.register(clients.J002!);
    await push('J002', [await other.next('sos', { alertId, shiftId: null, state: 'raised', fix: null })]);
    const row = await server.database.db.selectFrom('sos_alerts').select(['officer_id', 'raise_record_id']).where('id', '=', alertId).executeTakeFirstOrThrow();
    expect(row).toEqual({ officer_id: ids.J001, raise_record_id: raise.id });
  });
});
