import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../../src/domain/ids.js';
import type { OpenShiftsResponse } from '../../../src/domain/protocol/shifts.js';
import type { PushResponse } from '../../../src/domain/protocol/sync.js';
import { TestDevice } from '../device.js';
import { Client, DATABASES, startServer, type TestServer } from '../harness.js';

describe.each(DATABASES)('open shifts for leaders on %s', (kind) => {
  let server: TestServer;
  let clients: Record<string, Client>;
  let ids: Record<string, string>;
  let squads: Record<string, string>;

  beforeAll(async () => {
    server = await startServer(kind);
    const users = await server.database.db.selectFrom('users').select(['id', 'badge', 'squad_id']).execute();
    ids = Object.fromEntries(users.map((u) => [u.badge, u.id]));
    squads = Object.fromEntries(users.map((u) => [u.badge, u.squad_id ?? '']));
    clients = {};
    for (const badge of ['J001', 'J002', 'L001', 'L002', 'S001']) {
      clients[badge] = new Client(server.url);
      await clients[badge].login(badge);
    }
  });
  afterAll(() => server.close());

  const push = async (badge: string, records: unknown[]) => {
    const response = await clients[badge]!.request('POST', '/api/sync/push', { records });
    return ((await response.json()) as PushResponse).results.map((r) => r.status);
  };
  const open = async (badge: string) => {
    const response = await clients[badge]!.request('GET', '/api/shifts/open');
    return { status: response.status, body: (await response.json()) as OpenShiftsResponse };
  };

  it('flags a shift left open past its planned end, and drops it once ended', async () => {
    const now = server.clock.now().getTime();
    const late = await TestDevice.create(ids.J001!);
    await late.register(clients.J001!);
    const lateShift = newId();
    const onTime = await TestDevice.create(ids.J002!);
    await onTime.register(clients.J002!);
    const onTimeShift = newId();
    const start = (device: TestDevice, shiftId: string, badge: string, plannedEndMs: number) =>
      device.next(
        'shift.start',
        { shiftId, squadId: squads[badge]!, members: [ids[badge]!], equipment: [], zoneIds: [], plannedEndAt: new Date(plannedEndMs).toISOString() },
        new Date(now - 9 * 3600_000),
      );
    await clients.J001!.request('POST', '/api/sync/push', { records: [await start(late, lateShift, 'J001', now - 3600_000)] });
    await clients.J002!.request('POST', '/api/sync/push', { records: [await start(onTime, onTimeShift, 'J002', now + 3600_000)] });

    const { status, body } = await open('L001');
    expect(status).toBe(200);
    expect(body.shifts.map((s) => [s.badge, s.overdue])).toEqual([
      ['J001', true],
      ['J002', false],
    ]);

    await clients.J001!.request('POST', '/api/sync/push', { records: [await late.next('shift.end', { shiftId: lateShift, equipmentReturned: [] })] });
    expect((await open('L001')).body.shifts.map((s) => s.badge)).toEqual(['J002']);
    expect((await open('S001')).body.shifts.map((s) => s.badge)).toEqual(['J002']);
  });

  it('keeps an officer’s shift open when another officer pushes an end naming its id', async () => {
    const now = server.clock.now().getTime();
    const own = await TestDevice.create(ids.J001!);
    await own.register(clients.J001!);
    const shiftId = newId();
    const start = await own.next('shift.start', { shiftId, squadId: squads.J001!, members: [ids.J001!], equipment: [], zoneIds: [] }, new Date(now - 3600_000));
    expect(await push('J001', [start])).toEqual(['accepted']);

    // J002's own record, properly signed: stored as evidence, but it ends nothing of J001's.
    const other = await TestDevice.create(ids.J002!);
    await other.register(clients.J002!);
    expect(await push('J002', [await other.next('shift.end', { shiftId, equipmentReturned: [] })])).toEqual(['accepted']);
    const isOpen = async () => (await open('L001')).body.shifts.some((s) => s.officerId === ids.J001 && s.shiftId === shiftId);
    expect(await isOpen()).toBe(true);

    expect(await push('J001', [await own.next('shift.end', { shiftId, equipmentReturned: [] })])).toEqual(['accepted']);
    expect(await isOpen()).toBe(false);
  });

  it('never lists a shift whose end arrived before its start', async () => {
    const now = server.clock.now().getTime();
    const device = await TestDevice.create(ids.J001!);
    await device.register(clients.J001!);
    const shiftId = newId();
    const start = await device.next(
      'shift.start',
      { shiftId, squadId: squads.J001!, members: [ids.J001!], equipment: [], zoneIds: [] },
      new Date(now - 7200_000),
    );
    const end = await device.next('shift.end', { shiftId, equipmentReturned: [] }, new Date(now - 3600_000));
    expect(await push('J001', [end])).toEqual(['accepted']);
    expect(await push('J001', [start])).toEqual(['accepted']);
    expect((await open('S001')).body.shifts.map((s) => s.shiftId)).not.toContain(shiftId);
  });

  it('shows a leader only their own squad and refuses officers', async () => {
    expect((await open('L002')).body.shifts).toEqual([]);
    expect((await open('J001')).status).toBe(403);
    expect((await new Client(server.url).request('GET', '/api/shifts/open')).status).toBe(401);
  });
});
