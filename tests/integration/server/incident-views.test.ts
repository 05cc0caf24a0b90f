import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pointInPolygon } from '../../../src/domain/geo.js';
import { newId } from '../../../src/domain/ids.js';
import type { IncidentDetailResponse, IncidentsResponse } from '../../../src/domain/protocol/incidents.js';
import type { PushResponse } from '../../../src/domain/protocol/sync.js';
import type { BodyOf } from '../../../src/domain/records.js';
import { TestDevice } from '../device.js';
import { Client, DATABASES, startServer, type TestServer } from '../harness.js';

const MINUTE = 60_000;
const DAY = 24 * 3600_000;
const jpeg = (text: string) => Buffer.from([0xff, 0xd8, 0xff, 0xe0, ...Buffer.from(text)]);
const PHOTOS = [jpeg('first photo'), jpeg('second photo'), jpeg('photo added on scene')];
const HASHES = PHOTOS.map((p) => createHash('sha256').update(p).digest('hex'));

describe.each(DATABASES)('leaders and supervisors see incidents on %s', (kind) => {
  let server: TestServer;
  let now: number;
  const clients: Record<string, Client> = {};
  const devices: Record<string, TestDevice> = {};
  const ids: Record<string, string> = {};
  /** A point inside one of squad A's zones, and one outside every zone of it. */
  let zoneA: { id: string; inside: { lat: number; lon: number } };
  const incident: Record<string, string> = {};

  const push = async (badge: string, kind: 'incident.report' | 'incident.update', body: BodyOf<typeof kind>, at: number) => {
    const record = await devices[badge]!.next(kind, body as never, new Date(at));
    const response = await clients[badge]!.request('POST', '/api/sync/push', { records: [record] });
    const result = ((await response.json()) as PushResponse).results[0]!;
    expect(result.status).toBe('accepted');
    return record.id;
  };
  const report = (over: Partial<BodyOf<'incident.report'>> & { occurredAt: string }): BodyOf<'incident.report'> => ({
    incidentId: newId(),
    category: 'burglary',
    location: { source: 'fix', lat: 23.0921, lon: 114.4312, accuracy: 7 },
    description: '居民报称家中被盗',
    people: [{ role: 'victim', name: '李女士' }],
    injured: 0,
    dead: 0,
    photos: [],
    shiftId: null,
    ...over,
  });
  const list = async (badge: string, query = '') => {
    const response = await clients[badge]!.request('GET', `/api/incidents${query}`);
    expect(response.status).toBe(200);
    return (await response.json()) as IncidentsResponse;
  };
  const listed = async (badge: string, query = '') => (await list(badge, query)).incidents.map((i) => i.incidentId);

  beforeAll(async () => {
    server = await startServer(kind);
    now = server.clock.now().getTime();
    const db = server.database.db;
    for (const u of await db.selectFrom('users').select(['id', 'badge']).execute()) ids[u.badge] = u.id;
    for (const badge of ['J001', 'J002', 'J004', 'L001', 'L002', 'S001']) {
      clients[badge] = new Client(server.url);
      await clients[badge].login(badge);
    }
    for (const badge of ['J001', 'J002', 'J004']) {
      devices[badge] = await TestDevice.create(ids[badge]!);
      await devices[badge].register(clients[badge]!);
    }
    for (const [i, bytes] of PHOTOS.entries()) {
      const upload = await fetch(`${server.url}/api/blobs/${HASHES[i]}`, {
        method: 'PUT',
        headers: { cookie: clients.J001!.cookie, 'content-type': 'image/jpeg' },
        body: bytes,
      });
      expect(upload.status).toBe(201);
    }

    // A point inside a zone of squad A, found on a grid over the zone's bounding box.
    const zone = await db
      .selectFrom('zones')
      .innerJoin('squads', 'squads.id', 'zones.squad_id')
      .select(['zones.id', 'zones.geometry'])
      .where('squads.code', '=', 'A')
      .orderBy('zones.id')
      .executeTakeFirstOrThrow();
    const rings = (JSON.parse(zone.geometry) as { coordinates: number[][][] }).coordinates;
    const ring = rings[0]!;
    const [minLon, maxLon] = [Math.min(...ring.map((p) => p[0]!)), Math.max(...ring.map((p) => p[0]!))];
    const [minLat, maxLat] = [Math.min(...ring.map((p) => p[1]!)), Math.max(...ring.map((p) => p[1]!))];
    let inside: { lat: number; lon: number } | null = null;
    for (let i = 1; i < 20 && !inside; i++)
      for (let j = 1; j < 20 && !inside; j++) {
        const lon = minLon + ((maxLon - minLon) * i) / 20;
        const lat = minLat + ((maxLat - minLat) * j) / 20;
        if (pointInPolygon(lon, lat, rings)) inside = { lat, lon };
      }
    zoneA = { id: zone.id, inside: inside! };

    const at = now - 3 * 3600_000;
    // J001 (squad A): a burglary in the zone, with two photos, moved along by J001 and J002.
    incident.burglary = newId();
    const burglary = report({
      incidentId: incident.burglary,
      occurredAt: new Date(at - 20 * MINUTE).toISOString(),
      location: { source: 'fix', ...zoneA.inside, accuracy: 6 },
      people: [
        { role: 'victim', name: '李女士', phone: '13800000000' },
        { role: 'witness', name: '保安老张' },
      ],
      photos: [0, 1].map((i) => ({ sha256: HASHES[i]!, size: PHOTOS[i]!.length, type: 'image/jpeg' as const, width: 2048, height: 1536 - i })),
    });
    incident.burglaryReport = await push('J001', 'incident.report', burglary, at);
    incident.onScene = await push('J002', 'incident.update', { incidentId: incident.burglary, state: 'on-scene' }, at + 15 * MINUTE);
    incident.responding = await push('J001', 'incident.update', { incidentId: incident.burglary, state: 'responding' }, at + 5 * MINUTE);
    incident.note = await push(
      'J001',
      'incident.update',
      {
        incidentId: incident.burglary,
        note: '已联系物业调取监控',
        injured: 1,
        photos: [{ sha256: HASHES[2]!, size: PHOTOS[2]!.length, type: 'image/jpeg', width: 1024, height: 768 }],
      },
      at + 25 * MINUTE,
    );
    incident.resolved = await push('J001', 'incident.update', { incidentId: incident.burglary, state: 'resolved' }, at + 60 * MINUTE);
    // J002 (squad A): a traffic incident typed by address, an hour later.
    incident.traffic = newId();
    await push(
      'J002',
      'incident.report',
      report({
        incidentId: incident.traffic,
        category: 'traffic',
        occurredAt: new Date(at + 60 * MINUTE).toISOString(),
        location: { source: 'address', lat: null, lon: null, accuracy: null, address: '文明一路12号' },
      }),
      at + 61 * MINUTE,
    );
    // J004 (squad B): a fire, and an old burglary nine days back.
    incident.fire = newId();
    await push(
      'J004',
      'incident.report',
      report({ incidentId: incident.fire, category: 'fire', occurredAt: new Date(at + 30 * MINUTE).toISOString() }),
      at + 31 * MINUTE,
    );
    incident.old = newId();
    await push('J004', 'incident.report', report({ incidentId: incident.old, occurredAt: new Date(now - 9 * DAY).toISOString() }), at + 32 * MINUTE);
  });
  afterAll(() => server.close());

  it('lists, newest first, an officer their own, a leader their squad, a supervisor the unit', async () => {
    expect(await listed('J001')).toEqual([incident.burglary]);
    expect(await listed('L001')).toEqual([incident.traffic, incident.burglary]);
    expect(await listed('L002')).toEqual([incident.fire]);
    expect(await listed('S001')).toEqual([incident.traffic, incident.fire, incident.burglary]);
    const [traffic, , burglary] = (await list('S001')).incidents;
    expect(burglary).toMatchObject({
      category: 'burglary',
      status: 'resolved',
      injured: 1,
      dead: 0,
      photos: 3,
      demo: false,
      reportedBy: { id: ids.J001, badge: 'J001' },
      lat: zoneA.inside.lat,
      lon: zoneA.inside.lon,
    });
    expect(traffic).toMatchObject({ lat: null, lon: null, address: '文明一路12号', status: 'reported', photos: 0 });
  });

  it('filters by window, category, status and zone, and cuts at the limit', async () => {
    const tenDays = `?from=${new Date(now - 10 * DAY).toISOString()}&to=${new Date(now).toISOString()}`;
    expect(await listed('L002', tenDays)).toEqual([incident.fire, incident.old]);
    expect(await listed('S001', `${tenDays}&category=burglary`)).toEqual([incident.burglary, incident.old]);
    expect(await listed('S001', '?status=resolved')).toEqual([incident.burglary]);
    expect(await listed('S001', '?status=handed-over')).toEqual([]);
    // The zone holds the burglary's point; the fire (elsewhere) and the traffic incident (an address only) are in no zone of it.
    expect(await listed('S001', `?zoneId=${zoneA.id}`)).toEqual([incident.burglary]);
    expect(await listed('L001', `?zoneId=${zoneA.id}&category=traffic`)).toEqual([]);
    const cut = await list('S001', '?limit=2');
    expect(cut.incidents.map((i) => i.incidentId)).toEqual([incident.traffic, incident.fire]);
    expect(cut.truncated).toBe(true);
    expect((await list('S001', '?limit=3')).truncated).toBe(false);
    const window = await list('S001');
    expect(Date.parse(window.to) - Date.parse(window.from)).toBe(7 * DAY);
  });

  it('opens an incident: its timeline in device time, who did what, and its photos with the record that named each', async () => {
    const response = await clients.L001!.request('GET', `/api/incidents/${incident.burglary}`);
    expect(response.status).toBe(200);
    const page = (await response.json()) as IncidentDetailResponse;
    expect(page.incident).toMatchObject({
      incidentId: incident.burglary,
      description: '居民报称家中被盗',
      locationSource: 'fix',
      status: 'resolved',
      injured: 1,
      photos: 3,
      people: [
        { role: 'victim', name: '李女士', phone: '13800000000', note: null },
        { role: 'witness', name: '保安老张', phone: null, note: null },
      ],
    });
    expect(page.timeline.map((s) => [s.recordId, s.kind, s.state, s.by.badge, s.note, s.injured])).toEqual([
      [incident.burglaryReport, 'report', 'reported', 'J001', null, 0],
      [incident.responding, 'update', 'responding', 'J001', null, null],
      [incident.onScene, 'update', 'on-scene', 'J002', null, null],
      [incident.note, 'update', null, 'J001', '已联系物业调取监控', 1],
      [incident.resolved, 'update', 'resolved', 'J001', null, null],
    ]);
    expect(page.photos).toEqual([
      { sha256: HASHES[0], size: PHOTOS[0]!.length, type: 'image/jpeg', width: 2048, height: 1536, recordId: incident.burglaryReport },
      { sha256: HASHES[1], size: PHOTOS[1]!.length, type: 'image/jpeg', width: 2048, height: 1535, recordId: incident.burglaryReport },
      { sha256: HASHES[2], size: PHOTOS[2]!.length, type: 'image/jpeg', width: 1024, height: 768, recordId: incident.note },
    ]);
    // Whoever may open the page may fetch its photos.
    const photo = await clients.L001!.request('GET', `/api/blobs/${HASHES[2]}`);
    expect(photo.status).toBe(200);
    expect(Buffer.from(await photo.arrayBuffer()).equals(PHOTOS[2]!)).toBe(true);
    expect((await clients.S001!.request('GET', `/api/incidents/${incident.burglary}`)).status).toBe(200);
  });

  it('answers an out-of-scope incident exactly as an unknown one', async () => {
    const outOfScope = await clients.L002!.request('GET', `/api/incidents/${incident.burglary}`);
    const unknown = await clients.L002!.request('GET', `/api/incidents/${newId()}`);
    expect(outOfScope.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(await outOfScope.json()).toEqual(await unknown.json());
    expect((await clients.J002!.request('GET', `/api/incidents/${incident.burglary}`)).status).toBe(404);
    expect((await new Client(server.url).request('GET', '/api/incidents')).status).toBe(401);
  });

  it.each([
    ['?from=2026-11-29T08:00:00.000Z&to=2026-11-28T08:00:00.000Z', 'from must not be after to'],
    ['?from=2026-10-01T00:00:00.000Z&to=2026-11-29T00:00:00.000Z', 'at most 31 days'],
    ['?from=yesterday', 'real instant'],
    ['?status=closed', 'status must be one of'],
    ['?category=Burglary!', 'category must be a category code'],
    ['?zoneId=zone-1', 'zoneId must be a zone id'],
    ['?limit=0', 'limit must be at least 1'],
    ['?limit=501', 'limit must be at most 500'],
    ['?limit=ten', 'limit must be a whole number'],
    ['?officer=J001', 'officer'],
  ])('answers %s with a 400 that says what is wrong', async (query, message) => {
    const response = await clients.S001!.request('GET', `/api/incidents${query}`);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toContain(message);
  });

  it('refuses a bad incident id with a 400, and a zone outside the viewer’s scope like an unknown one', async () => {
    const badId = await clients.S001!.request('GET', '/api/incidents/not-an-id');
    expect(badId.status).toBe(400);
    expect(((await badId.json()) as { message: string }).message).toContain('lower-case UUID');
    const otherSquad = await clients.L002!.request('GET', `/api/incidents?zoneId=${zoneA.id}`);
    const unknown = await clients.L002!.request('GET', `/api/incidents?zoneId=${newId()}`);
    expect(otherSquad.status).toBe(403);
    expect(await otherSquad.json()).toEqual(await unknown.json());
  });
});
