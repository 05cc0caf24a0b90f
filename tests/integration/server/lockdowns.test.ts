import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haversineM } from '../../../src/domain/geo.js';
import { newId } from '../../../src/domain/ids.js';
import type { ApiErrorBody } from '../../../src/domain/protocol/api.js';
import type { LockdownProposal, LockdownsResponse, LockdownView } from '../../../src/domain/protocol/lockdown.js';
import type { PullResponse, PushResponse } from '../../../src/domain/protocol/sync.js';
import type { Task } from '../../../src/domain/tasks.js';
import { positionBody, TestDevice } from '../device.js';
import { Client, DATABASES, startServer, type TestServer } from '../harness.js';

const json = async <T>(response: Response) => (await response.json()) as T;
/** Near the middle of Huicheng's demo control points (bridges, the station, junctions). */
const INCIDENT = { lon: 114.41, lat: 23.1 };

describe.each(DATABASES)('rapid lockdown (快速封控) on %s', (kind) => {
  let server: TestServer;
  const clients: Record<string, Client> = {};
  const devices: Record<string, TestDevice> = {};
  let ids: Record<string, string>;

  beforeAll(async () => {
    server = await startServer(kind);
    const users = await server.database.db.selectFrom('users').select(['id', 'badge', 'squad_id']).execute();
    ids = Object.fromEntries(users.map((u) => [u.badge, u.id]));
    const squads = Object.fromEntries(users.map((u) => [u.badge, u.squad_id ?? '']));
    for (const badge of ['J001', 'J002', 'J003', 'J004', 'J005', 'L001', 'L002', 'S001']) {
      clients[badge] = new Client(server.url);
      await clients[badge].login(badge);
    }
    // Four on shift (three of squad A, one of B), each with a recent fix; J005 is off shift.
    for (const [n, badge] of ['J001', 'J002', 'J003', 'J004'].entries()) {
      const device = (devices[badge] = await TestDevice.create(ids[badge]!));
      await device.register(clients[badge]!);
      const shiftId = newId();
      const at = new Date(server.clock.now().getTime() - 60_000);
      const start = await device.next(
        'shift.start',
        { shiftId, squadId: squads[badge]!, members: [ids[badge]!], equipment: [], zoneIds: [], vehicle: n === 0 ? '粤L·警0001' : null },
        at,
      );
      const fix = await device.next('position', { ...positionBody(shiftId, 0, at), lat: INCIDENT.lat + (n - 1.5) * 0.004, lon: INCIDENT.lon + 0.002 }, at);
      const pushed = await json<PushResponse>(await clients[badge]!.request('POST', '/api/sync/push', { records: [start, fix] }));
      expect(pushed.results.map((r) => r.status)).toEqual(['accepted', 'accepted']);
    }
  });
  afterAll(() => server.close());

  const propose = (badge: string, body: unknown) => clients[badge]!.request('POST', '/api/lockdowns/proposal', body);
  const board = async (badge: string) => (await json<LockdownsResponse>(await clients[badge]!.request('GET', '/api/lockdowns'))).lockdowns;
  const arrive = async (badge: string, task: Task) => {
    const record = await devices[badge]!.next(
      'task.update',
      { taskId: task.id, state: 'on-scene', revision: task.revision, method: 'tap' },
      server.clock.now(),
    );
    return (await json<PushResponse>(await clients[badge]!.request('POST', '/api/sync/push', { records: [record] }))).results[0]!.status;
  };
  const tasksOf = async (badge: string) => {
    const tasks: Task[] = [];
    const page = await json<PullResponse>(await clients[badge]!.request('GET', '/api/sync/pull?cursor=0'));
    for (const c of page.changes) if (c.entity === 'task') tasks.push(c.data as unknown as Task);
    return tasks;
  };

  it('proposes the control points on the ring and sends the squad’s officers on shift so the last point is manned soonest', async () => {
    const response = await propose('L001', { ...INCIDENT, radiusM: 2000 });
    expect(response.status).toBe(200);
    const proposal = await json<LockdownProposal>(response);
    expect(proposal.points.length).toBeGreaterThan(0);
    for (const p of proposal.points) expect(Math.abs(haversineM(INCIDENT, p) - 2000)).toBeLessThanOrEqual(500);
    // Only squad A's officers on shift: never J004 (squad B) or J005 (off shift).
    const sent = proposal.assignments.map((a) => a.officerId).sort();
    expect(sent).toEqual([ids.J001, ids.J002, ids.J003].sort().slice(0, Math.min(3, proposal.points.length)));
    expect(proposal.assignments.every((a) => a.officerName.length > 0 && a.travelS > 0)).toBe(true);
    expect(proposal.unmanned.length).toBe(proposal.points.length - proposal.assignments.length);
    expect(proposal.lastMannedS).toBe(Math.max(...proposal.assignments.map((a) => a.travelS)));
  });

  it('orders the lockdown as urgent guard tasks, and the board seals once every point reports its officer on scene', async () => {
    const proposal = await json<LockdownProposal>(await propose('L001', { ...INCIDENT, radiusM: 2000 }));
    const created = await clients.L001!.request('POST', '/api/lockdowns', {
      ...INCIDENT,
      radiusM: proposal.radiusM,
      note: '抢劫案，嫌疑人骑黑色电动车',
      assignments: proposal.assignments.map(({ officerId, pointId }) => ({ officerId, pointId })),
    });
    expect(created.status).toBe(201);
    const { lockdown } = await json<{ lockdown: LockdownView }>(created);
    expect(lockdown.points).toHaveLength(proposal.assignments.length);
    expect(lockdown.sealedAt).toBeNull();

    const byOfficer = new Map(Object.entries(ids).map(([badge, id]) => [id, badge]));
    for (const point of lockdown.points) {
      const badge = byOfficer.get(point.officerId)!;
      const task = (await tasksOf(badge)).find((t) => t.id === point.taskId)!;
      expect(task).toMatchObject({
        kind: 'guard',
        priority: 'urgent',
        details: '抢劫案，嫌疑人骑黑色电动车',
        location: { kind: 'circle', center: [point.lon, point.lat] },
      });
      expect(await arrive(badge, task)).toBe('accepted');
    }
    const [sealed] = (await board('L001')).filter((l) => l.id === lockdown.id);
    expect(sealed!.points.every((p) => p.arrivedAt !== null && p.taskState === 'on-scene')).toBe(true);
    expect(sealed!.sealedAt).toBe(
      sealed!.points
        .map((p) => p.arrivedAt!)
        .sort()
        .at(-1),
    );

    // Seen by the supervisor, not by the other squad's leader.
    expect((await board('S001')).some((l) => l.id === lockdown.id)).toBe(true);
    expect((await board('L002')).some((l) => l.id === lockdown.id)).toBe(false);
    expect((await clients.L002!.request('POST', `/api/lockdowns/${lockdown.id}/end`)).status).toBe(404);

    const ended = await clients.L001!.request('POST', `/api/lockdowns/${lockdown.id}/end`);
    expect(ended.status).toBe(200);
    const after = (await json<{ lockdown: LockdownView }>(ended)).lockdown;
    expect(after.endedAt).not.toBeNull();
    expect(after.points.every((p) => p.taskState === 'cancelled')).toBe(true);
    expect((await clients.L001!.request('POST', `/api/lockdowns/${lockdown.id}/end`)).status).toBe(409);
  });

  it('keeps the leader’s pins and answers bad orders with a reason, storing nothing', async () => {
    const first = await json<LockdownProposal>(await propose('L001', { ...INCIDENT, radiusM: 2000 }));
    const point = first.points.at(-1)!;
    const pinned = await json<LockdownProposal>(await propose('L001', { ...INCIDENT, radiusM: 2000, pinned: [{ officerId: ids.J003, pointId: point.id }] }));
    expect(pinned.assignments).toContainEqual(expect.objectContaining({ officerId: ids.J003, pointId: point.id, pinned: true }));

    expect((await propose('J001', INCIDENT)).status).toBe(403);
    const before = (await board('L001')).length;
    for (const [body, message] of [
      [{ lon: 500, lat: 23.1 }, /lon/],
      [{ ...INCIDENT, radiusM: 5 }, /radiusM/],
      [{ ...INCIDENT, pinned: [{ officerId: ids.J004, pointId: point.id }] }, /officer/],
    ] as const) {
      const response = await propose('L001', body);
      expect(response.status).toBe(400);
      expect((await json<ApiErrorBody>(response)).message).toMatch(message);
    }
    for (const assignments of [
      [{ officerId: ids.J005, pointId: point.id }],
      [{ officerId: ids.J004, pointId: point.id }],
      [{ officerId: ids.J001, pointId: 'nowhere' }],
      [
        { officerId: ids.J001, pointId: point.id },
        { officerId: ids.J002, pointId: point.id },
      ],
      [],
    ]) {
      const response = await clients.L001!.request('POST', '/api/lockdowns', { ...INCIDENT, radiusM: 2000, assignments });
      expect(response.status).toBe(400);
    }
    expect((await board('L001')).length).toBe(before);
  });
});
