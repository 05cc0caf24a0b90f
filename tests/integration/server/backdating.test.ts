import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EARTH_RADIUS_M } from '../../../src/domain/geo.js';
import { newId } from '../../../src/domain/ids.js';
import type { HeartbeatResponse } from '../../../src/domain/protocol/accounts.js';
import type { CheckinsResponse, ComplianceResponse } from '../../../src/domain/protocol/compliance.js';
import type { PushResponse } from '../../../src/domain/protocol/sync.js';
import type { AuditShiftsResponse, AuditTrackResponse } from '../../../src/domain/protocol/track-audit.js';
import type { SignedRecord } from '../../../src/domain/records.js';
import { TestDevice } from '../device.js';
import { Client, DATABASES, startServer, type TestServer } from '../harness.js';

// A device registered today that pushes a whole shift dated weeks ago, records that reach the
// server days after their time, or a lost device that sends, after it was reported lost, records
// dated before: kept, but flagged, and a check-in resting on them is not verified.

const BANK = { id: '0190a1f0-0000-7000-8000-300000000003', lon: 114.4118, lat: 23.1068 }; // a 50 m circle, 60 s dwell
const eastOfBank = (m: number) => ({ lat: BANK.lat, lon: BANK.lon + (m / (EARTH_RADIUS_M * Math.cos((BANK.lat * Math.PI) / 180))) * (180 / Math.PI) });
const DAY = 24 * 3600_000;

describe.each(DATABASES)('backdated and late records on %s', (kind) => {
  let server: TestServer;
  let officer: Client;
  let supervisor: Client;
  let admin: Client;
  let officerId = '';
  let squadId = '';

  beforeAll(async () => {
    server = await startServer(kind);
    const j001 = await server.database.db.selectFrom('users').select(['id', 'squad_id']).where('badge', '=', 'J001').executeTakeFirstOrThrow();
    officerId = j001.id;
    squadId = j001.squad_id ?? '';
    officer = new Client(server.url);
    supervisor = new Client(server.url);
    admin = new Client(server.url);
    expect((await officer.login('J001')).status).toBe(200);
    expect((await supervisor.login('S001')).status).toBe(200);
    expect((await admin.login('A001')).status).toBe(200);
  });
  afterAll(() => server.close());
  /** Sessions end after 12 hours: sign in again after moving the clock by days. */
  const advance = async (ms: number) => {
    server.clock.advance(ms);
    expect((await officer.login('J001')).status).toBe(200);
    expect((await supervisor.login('S001')).status).toBe(200);
    expect((await admin.login('A001')).status).toBe(200);
  };

  /** A shift at `t0` (epoch ms): its start, 80 s at the bank (nine fixes) and the check-in the device made of it. */
  const shiftAt = async (device: TestDevice, t0: number) => {
    const shiftId = newId();
    const at = (s: number) => new Date(t0 + s * 1000);
    const start = await device.next('shift.start', { shiftId, squadId, members: [officerId], equipment: [], zoneIds: [] }, at(0));
    const fixes: SignedRecord[] = [];
    for (let s = 600; s <= 680; s += 10) {
      const p = eastOfBank(((s / 10) % 3) * 4);
      fixes.push(await device.next('position', { shiftId, lat: p.lat, lon: p.lon, accuracy: 6, fixAt: at(s).toISOString() }, at(s)));
    }
    const checkin = await device.next(
      'checkin',
      { shiftId, checkpointId: BANK.id, method: 'geofence', enteredAt: at(600).toISOString(), dwellS: 80, evidence: fixes.map((f) => f.id) },
      at(681),
    );
    return { shiftId, start, fixes, checkin, from: at(0).toISOString(), to: at(3600).toISOString() };
  };
  const push = async (records: readonly SignedRecord[]) =>
    ((await (await officer.request('POST', '/api/sync/push', { records })).json()) as PushResponse).results.map((r) => r.reason ?? r.status);
  /** A shift at `t0` (epoch ms), pushed now, whole. */
  const pushShiftAt = async (device: TestDevice, t0: number) => {
    const shift = await shiftAt(device, t0);
    expect(new Set(await push([shift.start, ...shift.fixes, shift.checkin]))).toEqual(new Set(['accepted']));
    return shift;
  };
  const revoke = async (device: TestDevice) =>
    ((await (await admin.request('POST', `/api/admin/devices/${device.deviceId}/revoke`)).json()) as HeartbeatResponse).revokedAt ?? '';
  /** The shift's verdict in the route audit's list (cached once computed). */
  const listedVerdict = async (shiftId: string, from: string) => {
    const response = await supervisor.request('GET', `/api/audit/shifts?officerId=${officerId}&from=${from}`);
    return ((await response.json()) as AuditShiftsResponse).shifts.find((s) => s.shiftId === shiftId)?.verdict;
  };
  const viewOf = async (id: string, from: string, to: string) => {
    const response = await supervisor.request('GET', `/api/checkins?officerId=${officerId}&from=${from}&to=${to}`);
    return ((await response.json()) as CheckinsResponse).checkins.find((c) => c.id === id);
  };
  const trackOf = async (from: string, to: string) =>
    (await (await supervisor.request('GET', `/api/audit/track?officerId=${officerId}&from=${from}&to=${to}`)).json()) as AuditTrackResponse;

  it('keeps a shift dated before its device was registered, flags its points, and does not verify its check-in', async () => {
    const device = await TestDevice.create(officerId);
    expect((await device.register(officer)).status).toBe(201);
    const { checkin, from, to } = await pushShiftAt(device, server.clock.now().getTime() - 20 * DAY);
    expect(await viewOf(checkin.id, from, to)).toMatchObject({ verdict: 'weak', verdictReason: 'before-registration' });
    const track = await trackOf(from, to);
    expect(track.points.length).toBe(9);
    expect(new Set(track.points.map((p) => p.flag))).toEqual(new Set(['before-registration']));
  });

  it('flags records received more than three days after their time, and does not verify their check-in', async () => {
    const device = await TestDevice.create(officerId);
    expect((await device.register(officer)).status).toBe(201);
    const t0 = server.clock.now().getTime() + 3600_000;
    await advance(5 * DAY);
    const { checkin, from, to } = await pushShiftAt(device, t0);
    expect(await viewOf(checkin.id, from, to)).toMatchObject({ verdict: 'weak', verdictReason: 'received-late' });
    expect(new Set((await trackOf(from, to)).points.map((p) => p.flag))).toEqual(new Set(['received-late']));
  });

  it('verifies the same shift made after registration and received in time, with no flags', async () => {
    const device = await TestDevice.create(officerId);
    expect((await device.register(officer)).status).toBe(201);
    const t0 = server.clock.now().getTime() + 60_000;
    await advance(2 * 3600_000);
    const { checkin, from, to } = await pushShiftAt(device, t0);
    expect(await viewOf(checkin.id, from, to)).toMatchObject({ verdict: 'verified', verdictReason: 'ok' });
    expect(new Set((await trackOf(from, to)).points.map((p) => p.flag))).toEqual(new Set([null]));
  });

  it('takes what a lost device held from before its revocation but flags it, so its check-in is weak and the shift suspicious; refuses what it dates later', async () => {
    const device = await TestDevice.create(officerId);
    expect((await device.register(officer)).status).toBe(201);
    const t0 = server.clock.now().getTime() + 60_000;
    server.clock.advance(15 * 60_000);
    const shift = await shiftAt(device, t0);
    const [sent, held] = [shift.fixes.slice(0, 5), shift.fixes.slice(5)];
    expect(new Set(await push([shift.start, ...sent]))).toEqual(new Set(['accepted']));
    expect(await listedVerdict(shift.shiftId, shift.from)).toBe('intact');

    server.clock.advance(60_000);
    const revokedAt = await revoke(device);
    server.clock.advance(5 * 60_000);
    // What the phone still held, dated before the revocation, and one record its holder dated after.
    const later = await device.next('position', { shiftId: shift.shiftId, lat: BANK.lat, lon: BANK.lon, accuracy: 6, fixAt: server.clock.now().toISOString() });
    expect(await push([...held, shift.checkin, later])).toEqual([...held.map(() => 'accepted'), 'accepted', 'device-revoked']);

    const track = await trackOf(shift.from, shift.to);
    expect(track.points.map((p) => p.flag)).toEqual([...sent.map(() => null), ...held.map(() => 'after-revocation')]);
    expect(track.revocations).toEqual([{ deviceId: device.deviceId, revokedAt, receivedAfter: held.length + 1 }]);
    expect(await viewOf(shift.checkin.id, shift.from, shift.to)).toMatchObject({ verdict: 'weak', verdictReason: 'after-revocation' });
    const compliance = (await (
      await supervisor.request('GET', `/api/compliance?officerId=${officerId}&from=${shift.from}&to=${shift.to}`)
    ).json()) as ComplianceResponse;
    expect(compliance.shifts.find((s) => s.shiftId === shift.shiftId)?.checkins).toEqual({ verified: 0, weak: 1, unsupported: 0 });
    // The chain is whole, but the route in it may be anyone's: the list and the shift say so alike.
    expect(await listedVerdict(shift.shiftId, shift.from)).toBe('suspicious');
    const opened = (await (await supervisor.request('GET', `/api/audit/track?officerId=${officerId}&shiftId=${shift.shiftId}`)).json()) as AuditTrackResponse;
    expect(opened.verdict).toBe('suspicious');
  });

  it('does not verify a check-in that arrived before the revocation when the fixes it cites arrived after', async () => {
    const device = await TestDevice.create(officerId);
    expect((await device.register(officer)).status).toBe(201);
    const t0 = server.clock.now().getTime() + 60_000;
    server.clock.advance(15 * 60_000);
    const shift = await shiftAt(device, t0);
    expect(await push([shift.start, shift.checkin])).toEqual(['accepted', 'accepted']);
    server.clock.advance(60_000);
    await revoke(device);
    server.clock.advance(60_000);
    expect(new Set(await push(shift.fixes))).toEqual(new Set(['accepted']));
    expect(await viewOf(shift.checkin.id, shift.from, shift.to)).toMatchObject({ verdict: 'weak', verdictReason: 'after-revocation' });
  });

  it('forgets a cached verdict that a revocation changes: a record stamped later than the revocation by a host whose clock ran ahead', async () => {
    const device = await TestDevice.create(officerId);
    expect((await device.register(officer)).status).toBe(201);
    const t0 = server.clock.now().getTime() + 60_000;
    server.clock.advance(15 * 60_000);
    const shift = await pushShiftAt(device, t0);
    expect(await listedVerdict(shift.shiftId, shift.from)).toBe('intact');
    // The revoking host's clock a minute behind the one that stored the shift.
    server.clock.advance(-60_000);
    await revoke(device);
    expect(await listedVerdict(shift.shiftId, shift.from)).toBe('suspicious');
    expect(new Set((await trackOf(shift.from, shift.to)).points.map((p) => p.flag))).toEqual(new Set(['after-revocation']));
  });
});
