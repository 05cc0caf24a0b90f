import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EARTH_RADIUS_M } from '../../../src/domain/geo.js';
import { newId } from '../../../src/domain/ids.js';
import type { CheckinsResponse } from '../../../src/domain/protocol/compliance.js';
import type { PushResponse } from '../../../src/domain/protocol/sync.js';
import type { AuditTrackResponse } from '../../../src/domain/protocol/track-audit.js';
import { TestDevice } from '../device.js';
import { Client, DATABASES, startServer, type TestServer } from '../harness.js';

// A device registered today that pushes a whole shift dated weeks ago, or records that reach the
// server days after their time: kept, but flagged, and a check-in resting on them is not verified.

const BANK = { id: '0190a1f0-0000-7000-8000-300000000003', lon: 114.4118, lat: 23.1068 }; // a 50 m circle, 60 s dwell
const eastOfBank = (m: number) => ({ lat: BANK.lat, lon: BANK.lon + (m / (EARTH_RADIUS_M * Math.cos((BANK.lat * Math.PI) / 180))) * (180 / Math.PI) });
const DAY = 24 * 3600_000;

describe.each(DATABASES)('backdated and late records on %s', (kind) => {
  let server: TestServer;
  let officer: Client;
  let supervisor: Client;
  let officerId = '';
  let squadId = '';

  beforeAll(async () => {
    server = await startServer(kind);
    const j001 = await server.database.db.selectFrom('users').select(['id', 'squad_id']).where('badge', '=', 'J001').executeTakeFirstOrThrow();
    officerId = j001.id;
    squadId = j001.squad_id ?? '';
    officer = new Client(server.url);
    supervisor = new Client(server.url);
    expect((await officer.login('J001')).status).toBe(200);
    expect((await supervisor.login('S001')).status).toBe(200);
  });
  afterAll(() => server.close());
  /** Sessions end after 12 hours: sign in again after moving the clock by days. */
  const advance = async (ms: number) => {
    server.clock.advance(ms);
    expect((await officer.login('J001')).status).toBe(200);
    expect((await supervisor.login('S001')).status).toBe(200);
  };

  /** A shift at `t0` (epoch ms) with 80 s at the bank and the check-in the device made of it, pushed now. */
  const pushShiftAt = async (device: TestDevice, t0: number) => {
    const shiftId = newId();
    const at = (s: number) => new Date(t0 + s * 1000);
    const records: unknown[] = [await device.next('shift.start', { shiftId, squadId, members: [officerId], equipment: [], zoneIds: [] }, at(0))];
    const inside: string[] = [];
    for (let s = 600; s <= 680; s += 10) {
      const p = eastOfBank(((s / 10) % 3) * 4);
      const position = await device.next('position', { shiftId, lat: p.lat, lon: p.lon, accuracy: 6, fixAt: at(s).toISOString() }, at(s));
      inside.push(position.id);
      records.push(position);
    }
    const checkin = await device.next(
      'checkin',
      { shiftId, checkpointId: BANK.id, method: 'geofence', enteredAt: at(600).toISOString(), dwellS: 80, evidence: inside },
      at(681),
    );
    records.push(checkin);
    const { results } = (await (await officer.request('POST', '/api/sync/push', { records })).json()) as PushResponse;
    expect(results.every((r) => r.status === 'accepted')).toBe(true);
    return { checkin, from: at(0).toISOString(), to: at(3600).toISOString() };
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
});
