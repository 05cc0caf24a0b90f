import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../../src/domain/ids.js';
import type { AuditResponse, DevicesResponse, HeartbeatResponse } from '../../../src/domain/protocol/accounts.js';
import type { PushResponse } from '../../../src/domain/protocol/sync.js';
import { positionBody, TestDevice } from '../device.js';
import { Client, DATABASES, PASSWORD, startServer, type TestServer } from '../harness.js';
import { OTHER_UNIT, seedAnotherUnit } from '../scope-fixture.js';

const json = async <T>(response: Response) => (await response.json()) as T;

describe.each(DATABASES)('devices, revocation and the audit log on %s', (kind) => {
  let server: TestServer;
  let admin: Client;
  let j001: Client;
  let ids: Record<string, string>;
  let lost: TestDevice;
  let kept: TestDevice;
  const shiftId = newId();

  beforeAll(async () => {
    server = await startServer(kind);
    ids = Object.fromEntries((await server.database.db.selectFrom('users').select(['id', 'badge']).execute()).map((u) => [u.badge, u.id]));
    admin = new Client(server.url);
    await admin.login('A001');
    j001 = new Client(server.url);
    await j001.login('J001');
    lost = await TestDevice.create(ids.J001 ?? '');
    kept = await TestDevice.create(ids.J001 ?? '');
    expect((await lost.register(j001)).status).toBe(201);
    expect((await kept.register(j001)).status).toBe(201);
  });
  afterAll(() => server.close());

  const push = async (records: unknown[]) => (await json<PushResponse>(await j001.request('POST', '/api/sync/push', { records }))).results;
  const minutes = (n: number) => new Date(server.clock.now().getTime() + n * 60_000);

  it('lists an officer’s devices to the officer, their leader and the admin, with the pending count they reported', async () => {
    const beat = await j001.request('POST', `/api/devices/${lost.deviceId}/heartbeat`, { pending: 7 });
    expect(await json<HeartbeatResponse>(beat)).toEqual({ revokedAt: null });
    expect((await j001.request('POST', `/api/devices/${lost.deviceId}/heartbeat`, { pending: -1 })).status).toBe(400);
    const other = new Client(server.url);
    await other.login('J002');
    expect((await other.request('POST', `/api/devices/${lost.deviceId}/heartbeat`, { pending: 1 })).status).toBe(404);

    const own = await json<DevicesResponse>(await j001.request('GET', '/api/devices'));
    expect(own.devices.map((d) => d.id).sort()).toEqual([lost.deviceId, kept.deviceId].sort());
    expect(own.devices.find((d) => d.id === lost.deviceId)).toMatchObject({ officerBadge: 'J001', pendingCount: 7, revokedAt: null });
    const leaderA = new Client(server.url);
    await leaderA.login('L001');
    expect((await json<DevicesResponse>(await leaderA.request('GET', '/api/devices'))).devices).toHaveLength(2);
    const leaderB = new Client(server.url);
    await leaderB.login('L002');
    expect((await json<DevicesResponse>(await leaderB.request('GET', '/api/devices'))).devices).toHaveLength(0);
    expect((await json<DevicesResponse>(await other.request('GET', '/api/devices'))).devices).toHaveLength(0);
    expect((await json<DevicesResponse>(await admin.request('GET', '/api/devices'))).devices).toHaveLength(2);
  });

  it('refuses what a lost device signs after its revocation and takes what it signed before', async () => {
    const before = [
      await lost.next('position', positionBody(shiftId, 0, minutes(-2)), minutes(-2)),
      await lost.next('position', positionBody(shiftId, 1, minutes(-1)), minutes(-1)),
    ];
    expect((await j001.request('POST', `/api/admin/devices/${lost.deviceId}/revoke`)).status).toBe(403);
    const revoked = await json<HeartbeatResponse>(await admin.request('POST', `/api/admin/devices/${lost.deviceId}/revoke`));
    expect(revoked.revokedAt).toBe(server.clock.now().toISOString());
    const after = await lost.next('position', positionBody(shiftId, 2, minutes(1)), minutes(1));
    const results = await push([...before, after]);
    expect(results.map((r) => [r.status, r.reason])).toEqual([
      ['accepted', undefined],
      ['accepted', undefined],
      ['rejected', 'device-revoked'],
    ]);
    // The device learns it on its next heartbeat; the officer's other device is untouched.
    expect(await json<HeartbeatResponse>(await j001.request('POST', `/api/devices/${lost.deviceId}/heartbeat`, { pending: 0 }))).toEqual(revoked);
    const fine = await push([await kept.next('position', positionBody(shiftId, 3, minutes(2)), minutes(2))]);
    expect(fine[0]?.status).toBe('accepted');
    const listed = await json<DevicesResponse>(await admin.request('GET', '/api/devices'));
    expect(listed.devices.find((d) => d.id === lost.deviceId)?.revokedAt).toBe(revoked.revokedAt);
    expect(listed.devices.find((d) => d.id === kept.deviceId)?.lastSyncAt).toBe(server.clock.now().toISOString());
  });

  it('lists a device by the label it registered with, first seen at registration and last seen at its latest heartbeat', async () => {
    const phone = await TestDevice.create(ids.J001 ?? '');
    const registeredAt = server.clock.now().toISOString();
    expect((await j001.request('POST', '/api/devices', { ...(await phone.registration()), label: 'Android · Chrome 131' })).status).toBe(201);
    const listed = async () => (await json<DevicesResponse>(await admin.request('GET', '/api/devices'))).devices.find((d) => d.id === phone.deviceId);
    expect(await listed()).toMatchObject({ label: 'Android · Chrome 131', firstSeenAt: registeredAt, lastSeenAt: null });
    server.clock.advance(5 * 60_000);
    expect((await j001.request('POST', `/api/devices/${phone.deviceId}/heartbeat`, { pending: 2 })).status).toBe(200);
    expect(await listed()).toMatchObject({
      label: 'Android · Chrome 131',
      firstSeenAt: registeredAt,
      lastSeenAt: server.clock.now().toISOString(),
      pendingCount: 2,
    });
    expect((await j001.request('POST', '/api/devices', { ...(await TestDevice.create(ids.J001 ?? '')).registration(), label: 'x'.repeat(200) })).status).toBe(
      400,
    );
  });

  it('records the device a sign-in comes from when it is the officer’s own, and otherwise leaves it out', async () => {
    const j002 = new Client(server.url);
    await j002.login('J002');
    const theirs = await TestDevice.create(ids.J002 ?? '');
    expect((await theirs.register(j002)).status).toBe(201);
    const signIn = (deviceId: string) => new Client(server.url).request('POST', '/api/auth/login', { badge: 'J001', password: PASSWORD, deviceId });
    expect((await signIn(kept.deviceId)).status).toBe(200);
    expect((await signIn(theirs.deviceId)).status).toBe(200);
    expect((await signIn(newId())).status).toBe(200);
    const refused = await signIn('my phone');
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { message: string }).message).toMatch(/deviceId/);
    const logins = (await json<AuditResponse>(await admin.request('GET', '/api/admin/audit?kind=login&badge=J001&limit=3'))).events;
    expect(logins.map((e) => e.deviceId).reverse()).toEqual([kept.deviceId, null, null]);
  });

  it('shows another unit’s admin none of this unit’s events, and this unit’s admin none of theirs', async () => {
    const others = await seedAnotherUnit(server);
    const x001 = others.get(OTHER_UNIT.admin) ?? new Client(server.url);
    await (others.get(OTHER_UNIT.officer) ?? new Client(server.url)).request('GET', '/api/devices');
    const unitA = new Set(Object.values(ids));
    const theirs = (await json<AuditResponse>(await x001.request('GET', '/api/admin/audit?limit=10000'))).events;
    expect(theirs.map((e) => e.badge)).toEqual(expect.arrayContaining([OTHER_UNIT.admin, OTHER_UNIT.officer]));
    expect(theirs.filter((e) => e.userId !== null && unitA.has(e.userId))).toEqual([]);
    const csv = await (await x001.request('GET', '/api/admin/audit.csv?limit=10000')).text();
    for (const badge of ['J001', 'A001', 'S001']) expect(csv).not.toContain(`,${badge},`);
    const ours = (await json<AuditResponse>(await admin.request('GET', '/api/admin/audit?limit=10000'))).events;
    expect(ours.filter((e) => Object.values(OTHER_UNIT).includes(e.badge as never))).toEqual([]);
  });

  it('keeps an append-only audit log the admin can filter and export, and logs reading it', async () => {
    await new Client(server.url).login('J003', 'wrong password');
    const all = await json<AuditResponse>(await admin.request('GET', '/api/admin/audit'));
    const kinds = new Set(all.events.map((e) => e.kind));
    for (const k of ['login', 'login-failed', 'device-registered', 'device-revoked', 'device-late-records', 'device-refused-records'])
      expect(kinds).toContain(k);
    const failed = await json<AuditResponse>(await admin.request('GET', '/api/admin/audit?kind=login-failed&badge=j003'));
    expect(failed.events).toHaveLength(1);
    expect(failed.events[0]).toMatchObject({ badge: 'J003', outcome: 'denied', detail: 'wrong password' });
    const revocation = all.events.find((e) => e.kind === 'device-revoked');
    expect(revocation).toMatchObject({ badge: 'A001', deviceId: lost.deviceId, outcome: 'ok' });
    expect((await admin.request('GET', '/api/admin/audit?kind=nothing')).status).toBe(400);
    expect((await admin.request('GET', '/api/admin/audit?from=2026-11-30T00:00:00Z&to=2026-11-01T00:00:00Z')).status).toBe(400);

    const csv = await admin.request('GET', '/api/admin/audit.csv?kind=device-revoked');
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    const lines = (await csv.text())
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe('at,kind,outcome,badge,name,deviceId,ip,detail');
    expect(lines[1]).toContain(`device-revoked,ok,A001,郑文博,${lost.deviceId}`);
    const views = await json<AuditResponse>(await admin.request('GET', '/api/admin/audit?kind=audit-log-view'));
    expect(views.events.length).toBeGreaterThanOrEqual(3);

    // Append-only in the database itself.
    await expect(server.database.db.deleteFrom('audit_events').execute()).rejects.toThrow(/append-only/);
    await expect(server.database.db.updateTable('audit_events').set({ detail: 'x' }).execute()).rejects.toThrow(/append-only/);
    // Officers, leaders and supervisors do not read it.
    expect((await j001.request('GET', '/api/admin/audit')).status).toBe(403);
  });
});
