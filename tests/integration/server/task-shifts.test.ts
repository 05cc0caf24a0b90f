import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../../src/domain/ids.js';
import type { OpenShiftsResponse } from '../../../src/domain/protocol/shifts.js';
import type { PullResponse, PushResponse } from '../../../src/domain/protocol/sync.js';
import type { Task, TasksResponse } from '../../../src/domain/tasks.js';
import { TestDevice } from '../device.js';
import { Client, DATABASES, startServer, type TestServer } from '../harness.js';

const json = async <T>(response: Response) => (await response.json()) as T;

// What the board's "assign to an open shift" choice relies on: the leader's open shifts are the
// ones a task can go to, the task reaches that shift's officer, and nobody else's shift is taken.
describe.each(DATABASES)('tasks given to an officer’s open shift on %s', (kind) => {
  let server: TestServer;
  const clients: Record<string, Client> = {};
  let j002: TestDevice;
  let ids: Record<string, string>;
  const shiftId = newId();

  beforeAll(async () => {
    server = await startServer(kind);
    const users = await server.database.db.selectFrom('users').select(['id', 'badge', 'squad_id']).execute();
    ids = Object.fromEntries(users.map((u) => [u.badge, u.id]));
    for (const badge of ['J001', 'J002', 'L001', 'L002']) {
      clients[badge] = new Client(server.url);
      await clients[badge].login(badge);
    }
    j002 = await TestDevice.create(ids.J002!);
    await j002.register(clients.J002!);
    const squadId = users.find((u) => u.badge === 'J002')!.squad_id!;
    const start = await j002.next('shift.start', { shiftId, squadId, members: [ids.J002!], equipment: [], zoneIds: [] }, server.clock.now());
    const pushed = await json<PushResponse>(await clients.J002!.request('POST', '/api/sync/push', { records: [start] }));
    expect(pushed.results[0]!.status).toBe('accepted');
  });
  afterAll(() => server.close());

  const create = (badge: string, shift: string) =>
    clients[badge]!.request('POST', '/api/tasks', {
      kind: 'goto',
      title: '查看江北桥下聚集人员',
      location: { kind: 'circle', center: [114.399281, 23.098526], radiusM: 80 },
      assignee: { to: 'shift', shiftId: shift },
    });
  const board = async (badge: string) => (await json<TasksResponse>(await clients[badge]!.request('GET', '/api/tasks'))).tasks;
  const pulledTasks = async (badge: string) => {
    const page = await json<PullResponse>(await clients[badge]!.request('GET', '/api/sync/pull?cursor=0'));
    return page.changes.filter((c) => c.entity === 'task').map((c) => c.data as unknown as Task);
  };

  it('offers the squad’s open shift to its leader and gives the task to that shift’s officer, place and all', async () => {
    const open = await json<OpenShiftsResponse>(await clients.L001!.request('GET', '/api/shifts/open'));
    expect(open.shifts.map((s) => [s.shiftId, s.officerId])).toContainEqual([shiftId, ids.J002]);

    const response = await create('L001', shiftId);
    expect(response.status).toBe(201);
    const { task } = await json<{ task: Task }>(response);
    expect(task).toMatchObject({
      state: 'assigned',
      holder: { id: ids.J002 },
      assignee: { to: 'officer', officerId: ids.J002, shiftId },
      location: { kind: 'circle', center: [114.399281, 23.098526], radiusM: 80 },
    });
    expect((await pulledTasks('J002')).map((t) => t.id)).toContain(task.id);
    expect((await pulledTasks('J001')).map((t) => t.id)).not.toContain(task.id);
    expect((await board('L001')).find((t) => t.id === task.id)?.assignee).toEqual({
      to: 'officer',
      officerId: ids.J002,
      officerName: task.holder!.name,
      shiftId,
    });
  });

  it('refuses another squad’s shift and an ended shift with a reason, and stores nothing', async () => {
    const before = { L001: (await board('L001')).length, L002: (await board('L002')).length };
    const otherSquad = await create('L002', shiftId);
    expect(otherSquad.status).toBe(400);
    expect(await json<{ error: string; message: string }>(otherSquad)).toMatchObject({ error: 'bad-request', message: expect.stringContaining('shiftId') });

    const end = await j002.next('shift.end', { shiftId, equipmentReturned: [] }, server.clock.now());
    expect((await json<PushResponse>(await clients.J002!.request('POST', '/api/sync/push', { records: [end] }))).results[0]!.status).toBe('accepted');
    const open = await json<OpenShiftsResponse>(await clients.L001!.request('GET', '/api/shifts/open'));
    expect(open.shifts.map((s) => s.shiftId)).not.toContain(shiftId);
    const ended = await create('L001', shiftId);
    expect(ended.status).toBe(400);
    expect((await json<{ message: string }>(ended)).message).toContain('not an open shift');

    expect({ L001: (await board('L001')).length, L002: (await board('L002')).length }).toEqual(before);
  });
});
