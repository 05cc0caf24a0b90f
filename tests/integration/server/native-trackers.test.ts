import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiErrorBody } from '../../../src/domain/protocol/api.js';
import type { NativeTrackerView, NewTrackerResponse } from '../../../src/domain/native-trackers.js';
import type { AuditTrackResponse, NativeTrackResponse } from '../../../src/domain/protocol/track-audit.js';
import { newId } from '../../../src/domain/ids.js';
import { shownFix, type SquadLiveResponse } from '../../../src/domain/protocol/squad.js';
import { positionBody, TestDevice } from '../device.js';
import { Client, DATABASES, startServer, type TestServer } from '../harness.js';
import { bucketOf, polygonCells } from '../../../src/domain/coverage.js';
import { NO_FIX_MS } from '../../../src/domain/patrol-session.js';
import type { CoverageResponse } from '../../../src/domain/protocol/coverage.js';
import { coverageResolution } from '../../../src/server/records/coverage.js';
import { rebuildDerived } from '../../../src/server/records/derived.js';
import { bruteCoverage, bruteNativePasses, expectedRows } from '../../support/coverage-brute.js';
import { loadTrack, shiftTo, TRACE_FILES } from '../../../src/simulator/traces.js';

// Demo zone Qiaodong (huicheng.ts), squad A's.
const QIAODONG = '0190a1f0-0000-7000-8000-200000000002';
const QIAODONG_CENTRE = { lat: 23.092, lon: 114.431 };
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const json = async <T>(response: Response) => (await response.json()) as T;

// The payloads as the apps send them: OwnTracks' HTTP mode (owntracks.org/booklet/tech/json, the
// fields its Android app fills) and the Traccar Client's OsmAnd protocol (traccar.org/osmand), in
// its query-string form and its JSON form, at a street corner in Huicheng.
const ownTracksLocation = (tst: number) => ({
  _type: 'location',
  acc: 12,
  alt: 21,
  batt: 64,
  bs: 1,
  conn: 'm',
  created_at: tst + 2,
  lat: 23.11162,
  lon: 114.41553,
  m: 1,
  t: 'u',
  tid: 'J1',
  tst,
  vac: 3,
  vel: 18,
  cog: 270,
});
const traccarJson = (timestamp: string, deviceId: string) => ({
  location: {
    timestamp,
    coords: { latitude: 23.1121, longitude: 114.4161, accuracy: 8.5, speed: 1.4, heading: 92.5, altitude: 19.2 },
    is_moving: true,
    odometer: 1532,
    event: 'motionchange',
    battery: { level: 0.64, is_charging: false },
    activity: { type: 'walking' },
    extras: {},
  },
  device_id: deviceId,
});

describe.each(DATABASES)('native tracker apps paired with an officer on %s', (kind) => {
  let server: TestServer;
  const clients: Record<string, Client> = {};
  let officerId: string;

  beforeAll(async () => {
    server = await startServer(kind);
    for (const badge of ['J001', 'J002', 'L001']) {
      clients[badge] = new Client(server.url);
      await clients[badge].login(badge);
    }
    officerId = (await server.database.db.selectFrom('users').select('id').where('badge', '=', 'J001').executeTakeFirstOrThrow()).id;
  });
  afterAll(() => server.close());

  const pair = async (badge = 'J001', label = 'OwnTracks on my phone') => {
    const response = await clients[badge]!.request('POST', '/api/trackers', { label });
    expect(response.status).toBe(201);
    return json<NewTrackerResponse>(response);
  };
  const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const ownTracks = (token: string, body: unknown) =>
    fetch(`${server.url}/api/native/owntracks`, {
      method: 'POST',
      headers: { authorization: basic('J001', token), 'content-type': 'application/json' },
      body: body === '' ? '' : JSON.stringify(body),
    });
  const stored = () => server.database.db.selectFrom('native_positions').selectAll().where('officer_id', '=', officerId).orderBy('fix_at').execute();
  const nowS = () => Math.floor(server.clock.now().getTime() / 1000);

  it('pairs OwnTracks with a token shown once, stores its location reports once each, and answers its other messages with 200', async () => {
    const paired = await pair();
    expect(paired.token.length).toBeGreaterThanOrEqual(32);
    expect(paired.owntracks).toMatchObject({ url: `${server.url}/api/native/owntracks`, username: 'J001', password: paired.token });
    // The link OwnTracks opens to configure itself carries the same settings.
    const inline = decodeURIComponent(paired.owntracks.configUrl.replace('owntracks:///config?inline=', ''));
    expect(JSON.parse(Buffer.from(inline, 'base64').toString('utf8'))).toMatchObject({
      _type: 'configuration',
      mode: 3,
      url: paired.owntracks.url,
      password: paired.token,
    });
    // Listed without the secret.
    const { trackers } = await json<{ trackers: NativeTrackerView[] }>(await clients.J001!.request('GET', '/api/trackers'));
    expect(trackers.map((t) => t.label)).toEqual(['OwnTracks on my phone']);
    expect(JSON.stringify(trackers)).not.toContain(paired.token);

    const tst = nowS() - 30;
    const first = await ownTracks(paired.token, ownTracksLocation(tst));
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual([]);
    // The app resends when an answer is lost: nothing twice.
    expect((await ownTracks(paired.token, ownTracksLocation(tst))).status).toBe(200);
    expect((await ownTracks(paired.token, { _type: 'transition', event: 'enter', tst, lat: 23.1, lon: 114.4 })).status).toBe(200);
    expect((await ownTracks(paired.token, '')).status).toBe(200);
    const rows = await stored();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      protocol: 'owntracks',
      fix_at: new Date(tst * 1000).toISOString(),
      lat: 23.11162,
      lon: 114.41553,
      accuracy: 12,
      altitude: 21,
      heading: 270,
    });
    expect(rows[0]!.speed).toBeCloseTo(5, 5); // 18 km/h
  });

  it('stores the Traccar Client’s OsmAnd reports, in query form (speed in knots) and JSON form (m/s)', async () => {
    const paired = await pair('J001', 'Traccar Client');
    expect(paired.osmand).toEqual({ url: `${server.url}/api/native/osmand`, deviceId: paired.token });
    const tst = nowS() - 20;
    const query = new URLSearchParams({
      id: paired.token,
      lat: '23.11201',
      lon: '114.41602',
      timestamp: String(tst),
      speed: '2.0',
      bearing: '45',
      altitude: '18',
      accuracy: '6',
      batt: '81',
    });
    const viaQuery = await fetch(`${server.url}/api/native/osmand?${query}`, { method: 'POST' });
    expect(viaQuery.status).toBe(200);
    const iso = new Date((tst + 5) * 1000).toISOString();
    const viaJson = await fetch(`${server.url}/api/native/osmand`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(traccarJson(iso, paired.token)),
    });
    expect(viaJson.status).toBe(200);
    const rows = (await stored()).filter((r) => r.protocol === 'osmand');
    expect(rows.map((r) => r.fix_at)).toEqual([new Date(tst * 1000).toISOString(), iso]);
    expect(rows[0]!.speed).toBeCloseTo(2 * 0.514444, 4);
    expect(rows[0]).toMatchObject({ heading: 45, altitude: 18, accuracy: 6 });
    expect(rows[1]).toMatchObject({ lat: 23.1121, lon: 114.4161, speed: 1.4, heading: 92.5, accuracy: 8.5 });
  });

  it('answers a wrong or revoked token with 401, and bad reports with 400, storing nothing', async () => {
    const paired = await pair('J001', 'Spare phone');
    const before = (await stored()).length;
    expect((await ownTracks('not-a-token', ownTracksLocation(nowS()))).status).toBe(401);
    expect((await fetch(`${server.url}/api/native/owntracks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(
      401,
    );
    const bad = [{ ...ownTracksLocation(nowS()), lat: 123 }, { ...ownTracksLocation(nowS()), tst: 'yesterday' }, { ...ownTracksLocation(nowS() + 3 * 86_400) }];
    for (const body of bad) {
      const response = await ownTracks(paired.token, body);
      expect(response.status).toBe(400);
      expect((await json<ApiErrorBody>(response)).message.length).toBeGreaterThan(0);
    }
    const badQuery = new URLSearchParams({ id: paired.token, lat: 'north', lon: '114.4', timestamp: String(nowS()) });
    expect((await fetch(`${server.url}/api/native/osmand?${badQuery}`)).status).toBe(400);
    const broken = await fetch(`${server.url}/api/native/owntracks`, {
      method: 'POST',
      headers: { authorization: basic('J001', paired.token), 'content-type': 'application/json' },
      body: '{"_type":',
    });
    expect(broken.status).toBe(400);

    const revoked = await clients.J001!.request('POST', `/api/trackers/${paired.tracker.id}/revoke`);
    expect(revoked.status).toBe(200);
    expect((await json<{ trackers: NativeTrackerView[] }>(revoked)).trackers.find((t) => t.id === paired.tracker.id)?.revokedAt).not.toBeNull();
    const after = await ownTracks(paired.token, ownTracksLocation(nowS()));
    expect(after.status).toBe(401);
    expect((await json<ApiErrorBody>(after)).message).toContain('revoked');
    expect((await stored()).length).toBe(before);
  });

  it('keeps pairings to their officer: only an officer pairs, nobody else lists or revokes them', async () => {
    const paired = await pair('J002', 'J002 phone');
    expect((await clients.L001!.request('POST', '/api/trackers', { label: 'leader' })).status).toBe(403);
    expect((await new Client(server.url).request('GET', '/api/trackers')).status).toBe(401);
    expect((await clients.J001!.request('POST', `/api/trackers/${paired.tracker.id}/revoke`)).status).toBe(404);
    const listed = await json<{ trackers: NativeTrackerView[] }>(await clients.J001!.request('GET', '/api/trackers'));
    expect(listed.trackers.some((t) => t.id === paired.tracker.id)).toBe(false);
    for (const label of ['', 'x'.repeat(41)]) expect((await clients.J002!.request('POST', '/api/trackers', { label })).status).toBe(400);
  });

  it('shows the fixes to the officer and their leader in the audit, apart from the signed track, and to nobody else', async () => {
    const from = new Date(server.clock.now().getTime() - 3600_000).toISOString();
    const to = new Date(server.clock.now().getTime() + 60_000).toISOString();
    const path = `/api/audit/native-track?officerId=${officerId}&from=${from}&to=${to}`;
    for (const badge of ['J001', 'L001']) {
      const response = await clients[badge]!.request('GET', path);
      expect(response.status).toBe(200);
      const { points, truncated } = await json<NativeTrackResponse>(response);
      expect(truncated).toBe(false);
      expect(points.map((p) => [p.protocol, p.tracker])).toEqual([
        ['owntracks', 'OwnTracks on my phone'],
        ['osmand', 'Traccar Client'],
        ['osmand', 'Traccar Client'],
      ]);
    }
    expect((await clients.J002!.request('GET', path)).status).toBe(403);
    // The signed track holds none of them.
    const signed = await json<AuditTrackResponse>(await clients.L001!.request('GET', `/api/audit/track?officerId=${officerId}&from=${from}&to=${to}`));
    expect(signed.points).toEqual([]);
    expect((await clients.L001!.request('GET', `/api/audit/native-track?officerId=${officerId}&from=${to}&to=${from}`)).status).toBe(400);
  });

  it('fills the live squad picture: a native fix later than the signed one is shown, marked, and announced live', async () => {
    const user = await server.database.db.selectFrom('users').select(['squad_id']).where('id', '=', officerId).executeTakeFirstOrThrow();
    const device = await TestDevice.create(officerId);
    await device.register(clients.J001!);
    const shiftId = newId();
    // Later than every fix the tests above stored (a phone clock a little ahead is still accepted).
    const t0 = server.clock.now().getTime() + 30_000;
    const start = await device.next('shift.start', { shiftId, squadId: user.squad_id!, members: [officerId], equipment: [], zoneIds: [] }, new Date(t0));
    const fix = await device.next('position', { ...positionBody(shiftId, 0, new Date(t0 + 1000)) }, new Date(t0 + 1000));
    expect((await clients.J001!.request('POST', '/api/sync/push', { records: [start, fix] })).status).toBe(200);
    const paired = await pair('J001', 'Screen-locked phone');
    const before = Number(
      (
        await server.database.db
          .selectFrom('live_events')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('kind', '=', 'position')
          .executeTakeFirstOrThrow()
      ).n,
    );
    const tst = Math.floor((t0 + 60_000) / 1000);
    expect((await ownTracks(paired.token, { ...ownTracksLocation(tst), lat: 23.1201, lon: 114.4222 })).status).toBe(200);

    const squad = await json<SquadLiveResponse>(await clients.L001!.request('GET', '/api/squad/live'));
    const me = squad.officers.find((o) => o.officerId === officerId)!;
    expect(me.position?.fixAt).toBe(fix.body.fixAt);
    expect(me.native).toEqual({ lat: 23.1201, lon: 114.4222, accuracy: 12, fixAt: new Date(tst * 1000).toISOString() });
    expect(shownFix(me)).toMatchObject({ lat: 23.1201, lon: 114.4222, native: true });
    const after = Number(
      (
        await server.database.db
          .selectFrom('live_events')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('kind', '=', 'position')
          .executeTakeFirstOrThrow()
      ).n,
    );
    expect(after).toBe(before + 1);
    // An older native fix changes nothing; a newer signed fix is shown again.
    expect((await ownTracks(paired.token, { ...ownTracksLocation(tst - 30), lat: 23.0, lon: 114.0 })).status).toBe(200);
    const later = await device.next('position', { ...positionBody(shiftId, 1, new Date(t0 + 90_000)) }, new Date(t0 + 90_000));
    expect((await clients.J001!.request('POST', '/api/sync/push', { records: [later] })).status).toBe(200);
    const again = (await json<SquadLiveResponse>(await clients.L001!.request('GET', '/api/squad/live'))).officers.find((o) => o.officerId === officerId)!;
    expect(again.native?.lat).toBe(23.1201);
    expect(shownFix(again)).toMatchObject({ fixAt: later.body.fixAt, native: false });
  });
  it('counts a native tracker’s fixes for the beat’s coverage while the officer is on shift, whichever arrives first', async () => {
    const db = server.database.db;
    const j002 = (await db.selectFrom('users').select(['id', 'squad_id']).where('badge', '=', 'J002').executeTakeFirstOrThrow()) as {
      id: string;
      squad_id: string;
    };
    const paired = await pair('J002', 'Traccar Client, screen locked');
    const device = await TestDevice.create(j002.id);
    await device.register(clients.J002!);
    const shiftId = newId();
    const t0 = bucketOf(server.clock.now().getTime() - 3 * HOUR) + 5000;
    const [startAt, endAt] = [t0 + 10 * MINUTE, t0 + 30 * MINUTE];
    // A fix every 10 s of a real walk for 40 minutes, silent (phone in a lift) from 20 to 23.
    const walk = shiftTo(loadTrack(TRACE_FILES.osakaWalk), QIAODONG_CENTRE).filter((p) => p.time !== null);
    const fixes: Array<{ lat: number; lon: number; at: number }> = [];
    for (const p of walk) {
      const at = t0 + (p.time! - walk[0]!.time!);
      if (at - (fixes.at(-1)?.at ?? -Infinity) < 10_000 || (at >= t0 + 20 * MINUTE && at < t0 + 23 * MINUTE)) continue;
      if (at > t0 + 40 * MINUTE) break;
      fixes.push({ lat: p.lat, lon: p.lon, at: Math.floor(at / 1000) * 1000 });
    }
    expect(fixes.length).toBeGreaterThan(150);
    const report = async (f: (typeof fixes)[number]) => {
      const query = new URLSearchParams({ id: paired.token, lat: String(f.lat), lon: String(f.lon), timestamp: String(f.at / 1000), accuracy: '8' });
      expect((await fetch(`${server.url}/api/native/osmand?${query}`, { method: 'POST' })).status).toBe(200);
    };
    const signed = async (kind: 'shift.start' | 'shift.end', at: number) => {
      const record =
        kind === 'shift.start'
          ? await device.next(kind, { shiftId, squadId: j002.squad_id, members: [j002.id], equipment: [], zoneIds: [QIAODONG] }, new Date(at))
          : await device.next(kind, { shiftId, equipmentReturned: [] }, new Date(at));
      expect((await clients.J002!.request('POST', '/api/sync/push', { records: [record] })).status).toBe(200);
    };
    const nativeRows = async () =>
      (await db.selectFrom('coverage_cells').selectAll().where('officer_id', '=', j002.id).where('shift_id', 'like', 'native:%').execute())
        .map((r) => [r.officer_id, r.shift_id, r.bucket, r.cell, r.first_at, r.last_at].join(' '))
        .sort();

    // The phone was offline: the tracker's first 25 minutes arrive before the shift's start does,
    // and count for nothing until it does.
    const half = fixes.findIndex((f) => f.at > t0 + 25 * MINUTE);
    for (const f of fixes.slice(0, half)) await report(f);
    expect(await nativeRows()).toEqual([]);
    await signed('shift.start', startAt);
    expect((await nativeRows()).length).toBeGreaterThan(0);
    // The rest arrive live, then the shift ends: nothing after its end counts.
    for (const f of fixes.slice(half)) await report(f);
    await signed('shift.end', endAt);

    const expected = await bruteNativePasses(db, [j002.id], coverageResolution());
    expect(expected.map((s) => s.shiftId)).toEqual([`native:${shiftId}`]);
    expect(expected[0]!.fixes.every((f) => f.fixAt >= startAt && f.fixAt <= endAt)).toBe(true);
    const stored = await nativeRows();
    expect(stored.length).toBeGreaterThan(5);
    expect(stored).toEqual(expectedRows(expected));
    // The three silent minutes are not bridged: no cell is claimed between the fixes either side.
    const onDuty = expected[0]!.fixes;
    const silence = onDuty.findIndex((f, i) => i > 0 && f.fixAt - onDuty[i - 1]!.fixAt > NO_FIX_MS);
    expect(silence).toBeGreaterThan(0);
    const [lastBefore, firstAfter] = [onDuty[silence - 1]!.fixAt, onDuty[silence]!.fixAt];
    expect(expected[0]!.passes.filter((p) => p.at > lastBefore && p.at < firstAfter)).toEqual([]);

    // The leader's coverage of the zone counts those cells for J002, who sent no signed fix.
    const zone = await db.selectFrom('zones').select('geometry').where('id', '=', QIAODONG).executeTakeFirstOrThrow();
    const zoneCells = new Set(polygonCells(JSON.parse(zone.geometry) as { coordinates: number[][][] }, coverageResolution()));
    const answer = await json<CoverageResponse>(
      await clients.L001!.request('GET', `/api/coverage?zoneId=${QIAODONG}&from=${new Date(t0).toISOString()}&to=${new Date(t0 + HOUR).toISOString()}`),
    );
    const brute = bruteCoverage(expected, zoneCells, Date.parse(answer.from), Date.parse(answer.to));
    const passed = brute.byOfficer.get(j002.id)?.size ?? 0;
    expect(passed).toBeGreaterThan(1);
    expect(answer.officers.find((o) => o.badge === 'J002')?.passed).toBe(passed);

    // A rebuild from the records (native fixes are not records) derives the same rows.
    await rebuildDerived(db, { now: server.clock.now(), onUnreadable: () => expect.fail('no record is unreadable') });
    expect(await nativeRows()).toEqual(stored);
  });
});
