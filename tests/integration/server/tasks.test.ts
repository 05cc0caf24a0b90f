import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../../src/domain/ids.js';
import type { ApiErrorBody } from '../../../src/domain/protocol/api.js';
import type { PullResponse, PushResponse } from '../../../src/domain/protocol/sync.js';
import type { BodyOf } from '../../../src/domain/records.js';
import type { Task, TasksResponse } from '../../../src/domain/tasks.js';
import { TestDevice } from '../device.js';
import { Client, DATABASES, startServer, type TestServer } from '../harness.js';

const json = async <T>(response: Response) => (await response.json()) as T;

describe.each(DATABASES)('tasks from leaders to patrols on %s', (kind) => {
  let server: TestServer;
  const clients: Record<string, Client> = {};
  const devices: Record<string, TestDevice> = {};
  let ids: Record<string, string>;
  let squads: Record<string, string>;

  beforeAll(async () => {
    server = await startServer(kind);
    const users = await server.database.db.selectFrom('users').select(['id', 'badge', 'squad_id']).execute();
    ids = Object.fromEntries(users.map((u) => [u.badge, u.id]));
    squads = Object.fromEntries(users.map((u) => [u.badge, u.squad_id ?? '']));
    for (const badge of ['J001', 'J002', 'J003', 'J004', 'L001', 'L002', 'S001', 'A001']) {
      clients[badge] = new Client(server.url);
      await clients[badge].login(badge);
      if (badge.startsWith('J')) {
        devices[badge] = await TestDevice.create(ids[badge]!);
        await devices[badge].register(clients[badge]);
      }
    }
  });
  afterAll(() => server.close());

  const create = (badge: string, body: Record<string, unknown>) => clients[badge]!.request('POST', '/api/tasks', body);
  const newTask = async (badge: string, body: Record<string, unknown>) => {
    const response = await create(badge, { kind: 'goto', title: '核查可疑车辆', ...body });
    expect(response.status).toBe(201);
    return (await json<{ task: Task }>(response)).task;
  };
  const update = async (badge: string, body: Omit<BodyOf<'task.update'>, 'method'>) => {
    const record = await devices[badge]!.next('task.update', { method: 'tap', ...body }, server.clock.now());
    const response = await clients[badge]!.request('POST', '/api/sync/push', { records: [record] });
    return (await json<PushResponse>(response)).results[0]!.status;
  };
  const board = async (badge: string) => (await json<TasksResponse>(await clients[badge]!.request('GET', '/api/tasks'))).tasks;
  const pulled = async (badge: string) => {
    const tasks = new Map<string, Task>();
    for (let cursor = '0'; ;) {
      const page = await json<PullResponse>(await clients[badge]!.request('GET', `/api/sync/pull?cursor=${cursor}`));
      for (const c of page.changes) if (c.entity === 'task') tasks.set(c.id, c.data as unknown as Task);
      cursor = page.cursor;
      if (!page.more) return tasks;
    }
  };

  /**
   * A walk into `here` signed by `device`: one fix per [second, longitude offset] step, the
   * clock starting a minute ago; `at` dates what the device signs after it.
   */
  const walkIn = async (device: TestDevice, here: { lon: number; lat: number }, steps: ReadonlyArray<readonly [number, number]>) => {
    const shiftId = newId();
    const start = server.clock.now().getTime() - 60_000;
    const at = (s: number) => new Date(start + s * 1000);
    const fixes = [];
    for (const [s, dLon] of steps)
      fixes.push(await device.next('position', { shiftId, lat: here.lat, lon: here.lon + dLon, accuracy: 5, fixAt: at(s).toISOString() }, at(s)));
    return { fixes, at };
  };

  it('lets a leader give an officer of the squad a task that the officer pulls, works and finishes, each step on the board', async () => {
    const task = await newTask('L001', {
      priority: 'urgent',
      details: '白色面包车，车牌粤L·12345',
      location: { kind: 'circle', center: [114.41, 23.11], radiusM: 50 },
      assignee: { to: 'officer', officerId: ids.J001 },
    });
    expect(task).toMatchObject({ state: 'assigned', revision: 0, holder: { id: ids.J001 }, assignee: { to: 'officer', officerId: ids.J001 } });
    expect((await pulled('J001')).get(task.id)).toMatchObject({ title: '核查可疑车辆', priority: 'urgent' });
    expect((await pulled('J002')).has(task.id)).toBe(false);

    for (const state of ['accepted', 'en-route', 'on-scene'] as const) expect(await update('J001', { taskId: task.id, state, revision: 0 })).toBe('accepted');
    expect(await update('J001', { taskId: task.id, state: 'done', revision: 0, note: '已核查，无异常' })).toBe('accepted');
    const seen = (await board('L001')).find((t) => t.id === task.id)!;
    expect(seen.state).toBe('done');
    expect(seen.updates.map((u) => [u.state, u.outcome])).toEqual([
      ['accepted', 'applied'],
      ['en-route', 'applied'],
      ['on-scene', 'applied'],
      ['done', 'applied'],
    ]);
    expect(seen.updates.at(-1)?.note).toBe('已核查，无异常');
    expect((await pulled('J001')).get(task.id)?.state).toBe('done');
  });

  it('keeps an update made offline against a task reassigned meanwhile, marks it superseded, and tells the officer', async () => {
    const task = await newTask('L001', { assignee: { to: 'officer', officerId: ids.J001 } });
    const reassigned = await clients.L001!.request('POST', `/api/tasks/${task.id}/reassign`, { assignee: { to: 'officer', officerId: ids.J002 } });
    expect(reassigned.status).toBe(200);
    // J001 had not heard: accepts against revision 0.
    expect(await update('J001', { taskId: task.id, state: 'accepted', revision: 0 })).toBe('accepted');
    const mine = (await pulled('J001')).get(task.id)!;
    expect(mine.assignee).toMatchObject({ to: 'officer', officerId: ids.J002 });
    expect(mine.updates).toEqual([expect.objectContaining({ officerId: ids.J001, outcome: 'superseded', reason: 'reassigned' })]);
    expect(mine.state).toBe('assigned');
    expect(await update('J002', { taskId: task.id, state: 'accepted', revision: 1 })).toBe('accepted');
    expect((await board('L001')).find((t) => t.id === task.id)).toMatchObject({ state: 'accepted', holder: { id: ids.J002 } });
  });

  it('keeps updates to a cancelled task as superseded, and refuses to cancel it twice', async () => {
    const task = await newTask('L001', { assignee: { to: 'officer', officerId: ids.J003 } });
    expect((await clients.L001!.request('POST', `/api/tasks/${task.id}/cancel`)).status).toBe(200);
    expect(await update('J003', { taskId: task.id, state: 'accepted', revision: 0 })).toBe('accepted');
    const seen = (await board('L001')).find((t) => t.id === task.id)!;
    expect(seen.state).toBe('cancelled');
    expect(seen.updates[0]).toMatchObject({ outcome: 'superseded', reason: 'cancelled' });
    const again = await clients.L001!.request('POST', `/api/tasks/${task.id}/cancel`);
    expect(again.status).toBe(409);
  });

  it('gives a squad task to the first acceptance the server receives and tells the other who has it', async () => {
    const task = await newTask('L001', { kind: 'guard', title: '守护现场', assignee: { to: 'squad', squadId: squads.L001 } });
    expect(task.state).toBe('open');
    expect((await pulled('J002')).get(task.id)?.state).toBe('open');
    expect((await pulled('J004')).has(task.id)).toBe(false); // squad B
    expect(await update('J003', { taskId: task.id, state: 'accepted', revision: 0 })).toBe('accepted');
    expect(await update('J002', { taskId: task.id, state: 'accepted', revision: 0 })).toBe('accepted');
    const seen = (await pulled('J002')).get(task.id)!;
    expect(seen).toMatchObject({ state: 'accepted', holder: { id: ids.J003 } });
    expect(seen.updates.map((u) => [u.officerId, u.outcome])).toEqual([
      [ids.J003, 'applied'],
      [ids.J002, 'taken'],
    ]);
  });

  it('needs a reason to decline, and a declined task goes back to the leader', async () => {
    const task = await newTask('L001', { assignee: { to: 'officer', officerId: ids.J002 } });
    const record = await devices.J002!.next(
      'task.update',
      { taskId: task.id, state: 'declined', revision: 0, method: 'tap' } as BodyOf<'task.update'>,
      server.clock.now(),
    );
    const refused = await json<PushResponse>(await clients.J002!.request('POST', '/api/sync/push', { records: [record] }));
    expect(refused.results[0]).toMatchObject({ status: 'rejected', reason: expect.stringMatching(/reason/) });
    devices.J002!.head = { seq: devices.J002!.head.seq - 1, hash: record.prev };
    expect(await update('J002', { taskId: task.id, state: 'declined', revision: 0, reason: '正在处置另一警情' })).toBe('accepted');
    expect((await board('L001')).find((t) => t.id === task.id)).toMatchObject({
      state: 'declined',
      updates: [expect.objectContaining({ reason: '正在处置另一警情' })],
    });
  });

  it('keeps every role in its scope: officers cannot create, a leader only for the squad, nobody outside sees it', async () => {
    expect((await create('J001', { kind: 'other', title: 'x', assignee: { to: 'squad', squadId: squads.J001 } })).status).toBe(403);
    expect((await create('A001', { kind: 'other', title: 'x', assignee: { to: 'squad', squadId: squads.J001 } })).status).toBe(403);
    const foreign = await create('L001', { kind: 'other', title: 'x', assignee: { to: 'officer', officerId: ids.J004 } });
    expect(foreign.status).toBe(400);
    expect((await json<ApiErrorBody>(foreign)).message).toMatch(/not an officer of yours/);
    expect((await create('L001', { kind: 'other', title: 'x', assignee: { to: 'squad', squadId: squads.J004 } })).status).toBe(400);
    const mine = await newTask('L001', { assignee: { to: 'officer', officerId: ids.J001 } });
    expect((await board('L002')).some((t) => t.id === mine.id)).toBe(false);
    expect((await clients.L002!.request('POST', `/api/tasks/${mine.id}/cancel`)).status).toBe(404);
    expect((await board('S001')).some((t) => t.id === mine.id)).toBe(true);
    const bySupervisor = await newTask('S001', { assignee: { to: 'officer', officerId: ids.J004 } });
    expect((await board('L002')).some((t) => t.id === bySupervisor.id)).toBe(true);
    expect((await board('J004')).some((t) => t.id === bySupervisor.id)).toBe(true);
    expect((await board('J001')).some((t) => t.id === bySupervisor.id)).toBe(false);
    // An officer's update to a task that is not theirs is kept as evidence but changes nothing.
    expect(await update('J001', { taskId: bySupervisor.id, state: 'accepted', revision: 0 })).toBe('accepted');
    expect((await board('S001')).find((t) => t.id === bySupervisor.id)).toMatchObject({ state: 'assigned', holder: { id: ids.J004 } });
  });

  it('answers bad task input with a reason and stores nothing', async () => {
    const before = (await board('L001')).length;
    for (const body of [
      {},
      { kind: 'goto', title: '', assignee: { to: 'squad', squadId: squads.J001 } },
      { kind: 'teleport', title: 'x', assignee: { to: 'squad', squadId: squads.J001 } },
      { kind: 'goto', title: 'x', assignee: { to: 'squad', squadId: squads.J001 }, dueAt: '2026-13-45T99:99:99.999Z' },
      { kind: 'goto', title: 'x', assignee: { to: 'squad', squadId: squads.J001 }, location: { kind: 'circle', center: [500, 23], radiusM: 50 } },
      { kind: 'goto', title: 'x', assignee: { to: 'shift', shiftId: newId() } },
    ]) {
      const response = await create('L001', body);
      expect(response.status).toBe(400);
      expect((await json<ApiErrorBody>(response)).message.length).toBeGreaterThan(0);
    }
    expect((await board('L001')).length).toBe(before);
  });

  it('checks an arrival the device detected against the stored track: fixes inside the place verify it, the same fixes cited for a place elsewhere do not', async () => {
    const here = { lon: 114.412, lat: 23.108 };
    const circleAt = (p: { lon: number; lat: number }) => ({ kind: 'circle', center: [p.lon, p.lat], radiusM: 40 });
    const near = await newTask('L001', { location: circleAt(here), assignee: { to: 'officer', officerId: ids.J003 } });
    const far = await newTask('L001', { location: circleAt({ lon: 114.43, lat: 23.12 }), assignee: { to: 'officer', officerId: ids.J003 } });
    const device = devices.J003!;
    // Walking in from 150 m east, then standing inside for four fixes three seconds apart.
    const { fixes, at } = await walkIn(device, here, [
      [0, 0.0015],
      [10, 0.0008],
      [20, 0.0001],
      [23, 0.00005],
      [26, 0],
      [29, 0.00003],
    ]);
    const cited = fixes.slice(2).map((f) => f.id);
    const arrive = (task: Task) => device.next('task.update', { taskId: task.id, state: 'on-scene', revision: 0, method: 'geofence', evidence: cited }, at(30));
    const records = [...fixes, await arrive(near), await arrive(far)];
    const response = await clients.J003!.request('POST', '/api/sync/push', { records });
    expect((await json<PushResponse>(response)).results.map((r) => r.status)).toEqual(records.map(() => 'accepted'));

    const seen = await board('L001');
    const arrival = (task: Task) => seen.find((t) => t.id === task.id)!.updates.at(-1);
    expect(arrival(near)).toMatchObject({ state: 'on-scene', outcome: 'applied', method: 'geofence', arrival: 'verified' });
    // The task still moves on (the officer's word stands) but the board says the track does not back it.
    expect(arrival(far)).toMatchObject({ state: 'on-scene', outcome: 'applied', method: 'geofence', arrival: 'unsupported' });
    expect(seen.find((t) => t.id === far.id)!.state).toBe('on-scene');
    // A tapped update carries no check.
    const tapped = seen.flatMap((t) => t.updates).find((u) => u.method === 'tap');
    expect(tapped?.arrival).toBeUndefined();
  });

  it('does not verify an arrival that a device reported lost sends afterwards, though its fixes lie inside the place', async () => {
    const here = { lon: 114.415, lat: 23.11 };
    const task = await newTask('L001', {
      location: { kind: 'circle', center: [here.lon, here.lat], radiusM: 40 },
      assignee: { to: 'officer', officerId: ids.J002 },
    });
    // A second phone of J002's, signing the walk in and the arrival before it is reported lost.
    const phone = await TestDevice.create(ids.J002!);
    const registered = await phone.register(clients.J002!);
    expect(registered.status, await registered.clone().text()).toBe(201);
    const { fixes, at } = await walkIn(phone, here, [
      [0, 0.0015],
      [10, 0.0001],
      [13, 0],
      [16, 0.00003],
    ]);
    const arrival = await phone.next(
      'task.update',
      { taskId: task.id, state: 'on-scene', revision: 0, method: 'geofence', evidence: fixes.slice(1).map((f) => f.id) },
      at(17),
    );

    expect((await clients.A001!.request('POST', `/api/admin/devices/${phone.deviceId}/revoke`)).status).toBe(200);
    server.clock.advance(60_000);
    const response = await clients.J002!.request('POST', '/api/sync/push', { records: [...fixes, arrival] });
    expect((await json<PushResponse>(response)).results.map((r) => r.status)).toEqual([...fixes, arrival].map(() => 'accepted'));
    const seen = (await board('L001')).find((t) => t.id === task.id)!;
    // Whoever holds the phone may have signed it: the task moves on, the board says the arrival is not proven.
    expect(seen.updates.at(-1)).toMatchObject({ state: 'on-scene', outcome: 'applied', method: 'geofence', arrival: 'weak' });
  });
});
