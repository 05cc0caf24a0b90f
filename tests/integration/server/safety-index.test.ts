import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../../src/domain/ids.js';
import type { ApiErrorBody } from '../../../src/domain/protocol/api.js';
import type { IncidentDetailResponse, IncidentsResponse } from '../../../src/domain/protocol/incidents.js';
import type { AreasResponse, SafetyIndexResponse } from '../../../src/domain/protocol/safety-index.js';
import type { PushResponse } from '../../../src/domain/protocol/sync.js';
import { parseRecord, type BodyOf } from '../../../src/domain/records.js';
import type { MonthIndex } from '../../../src/domain/safety-index.js';
import { seedDemoIncidents } from '../../../src/server/demo/incidents.js';
import { seedDemo, seedDemoAreas, seedDemoIndexIfMissing } from '../../../src/server/demo/seed.js';
import { rebuildDerived, runRequestedRebuild } from '../../../src/server/records/derived.js';
import { DEMO_DEVICE_LABEL } from '../../../src/server/records/incidents.js';
import { checkSealNode, nodePublicKey } from '../../../src/server/sync/seal-verifier.js';
import { TestDevice } from '../device.js';
import { Client, fastPasswordHash, DATABASES, freshDatabase, PASSWORD, startServer, type TestServer } from '../harness.js';

const json = async <T>(response: Response) => (await response.json()) as T;

/** A square of `size` degrees with its south-west corner at (west, south). */
const square = (west: number, south: number, size: number) => ({
  type: 'Polygon',
  coordinates: [
    [
      [west, south],
      [west + size, south],
      [west + size, south + size],
      [west, south + size],
      [west, south],
    ],
  ],
});
const feature = (id: string, properties: Record<string, unknown>, geometry: object) => ({ type: 'Feature', id, properties: { id, ...properties }, geometry });

// The fixture: two towns side by side, far from the demo's district so nothing else lies in
// them, and a community in the west one. 甲街道 20,000 residents, 乙镇 5,000.
const TOWN_A = newId();
const TOWN_B = newId();
const COMMUNITY = newId();
const FIXTURE = {
  type: 'FeatureCollection',
  features: [
    feature(TOWN_A, { level: 'town', name_zh: '甲街道', name_en: 'Jia Subdistrict', population: 20_000 }, square(113.0, 22.0, 0.02)),
    feature(TOWN_B, { level: 'town', name_zh: '乙镇', name_en: 'Yi Town', population: 5_000 }, square(113.02, 22.0, 0.02)),
    feature(COMMUNITY, { level: 'community', parent_id: TOWN_A, name_zh: '丙社区', name_en: 'Bing Community', population: 3_000 }, square(113.0, 22.0, 0.01)),
  ],
};
const IN_A = { lon: 113.015, lat: 22.015 }; // 甲街道, outside the community
const IN_COMMUNITY = { lon: 113.005, lat: 22.005 };
const IN_B = { lon: 113.03, lat: 22.01 };
const NOWHERE = { lon: 113.2, lat: 22.3 }; // in no area of the unit

describe.each(DATABASES)('the safety index (平安指数) on %s', (kind) => {
  let server: TestServer;
  const clients: Record<string, Client> = {};
  let device: TestDevice;

  beforeAll(async () => {
    server = await startServer(kind);
    const db = server.database.db;
    // A second unit with an admin of its own: neither sees nor touches the other's areas.
    const otherUnit = newId();
    await db.insertInto('units').values({ id: otherUnit, name_zh: '惠阳分局', name_en: 'Huiyang branch' }).execute();
    await db
      .insertInto('users')
      .values({
        id: newId(),
        badge: 'A900',
        name: '外单位管理员',
        role: 'admin',
        unit_id: otherUnit,
        squad_id: null,
        password_hash: await fastPasswordHash(PASSWORD),
        created_at: server.clock.now().toISOString(),
      })
      .execute();
    for (const badge of ['A001', 'A900', 'S001', 'L001', 'J001']) {
      clients[badge] = new Client(server.url);
      expect((await clients[badge].login(badge)).status).toBe(200);
    }
    const j001 = await db.selectFrom('users').select('id').where('badge', '=', 'J001').executeTakeFirstOrThrow();
    device = await TestDevice.create(j001.id);
    await device.register(clients.J001!);
  });
  afterAll(() => server.close());

  const report = async (category: string, occurredAt: string, where: { lon: number; lat: number } | null, dead = 0) => {
    const body: BodyOf<'incident.report'> = {
      incidentId: newId(),
      category,
      occurredAt,
      location: where
        ? { source: 'map', lat: where.lat, lon: where.lon, accuracy: null }
        : { source: 'address', lat: null, lon: null, accuracy: null, address: '某路 1 号' },
      description: '',
      people: [],
      injured: 0,
      dead,
      photos: [],
      shiftId: null,
    };
    const record = await device.next('incident.report', body);
    const response = await json<PushResponse>(await clients.J001!.request('POST', '/api/sync/push', { records: [record] }));
    expect(response.results[0]?.status).toBe('accepted');
  };
  const index = async (month?: string) => {
    const response = await clients.S001!.request('GET', `/api/safety-index${month ? `?month=${month}` : ''}`);
    expect(response.status).toBe(200);
    return json<SafetyIndexResponse>(response);
  };
  const town = (m: MonthIndex | undefined, id: string) => m?.towns.find((t) => t.areaId === id);

  it('imports the real boundaries as GeoJSON, all or nothing, for the admin of the unit only', async () => {
    const before = (await json<AreasResponse>(await clients.A001!.request('GET', '/api/areas'))).areas.length;
    // The demo's towns and streets are there, approximate.
    expect(before).toBeGreaterThanOrEqual(18);
    // One bad feature (a community naming no town) changes nothing, and is named.
    const bad = structuredClone(FIXTURE);
    delete (bad.features[2]!.properties as Record<string, unknown>).parent_id;
    const refused = await clients.A001!.request('POST', '/api/admin/areas/import', bad);
    expect(refused.status).toBe(400);
    expect((await json<ApiErrorBody>(refused)).message).toMatch(/feature 2 \(“丙社区”\): .*parent_id/);
    expect((await json<AreasResponse>(await clients.A001!.request('GET', '/api/areas'))).areas.length).toBe(before);
    // Only an admin imports; another unit's admin cannot overwrite this unit's areas or hang a community on its towns.
    expect((await clients.S001!.request('POST', '/api/admin/areas/import', FIXTURE)).status).toBe(403);
    expect((await clients.A001!.request('POST', '/api/admin/areas/import', FIXTURE)).status).toBe(200);
    expect((await clients.A900!.request('POST', '/api/admin/areas/import', FIXTURE)).status).toBe(403);
    const foreignParent = {
      type: 'FeatureCollection',
      features: [feature(newId(), { level: 'community', parent_id: TOWN_A, name_zh: '外社区', population: 10 }, square(113.0, 22.0, 0.001))],
    };
    expect((await clients.A900!.request('POST', '/api/admin/areas/import', foreignParent)).status).toBe(403);
    const areas = (await json<AreasResponse>(await clients.A001!.request('GET', '/api/areas'))).areas;
    expect(areas.length).toBe(before + 3);
    expect(areas.find((a) => a.id === COMMUNITY)).toMatchObject({ level: 'community', parentId: TOWN_A, population: 3_000, approximate: false });
    expect((await json<AreasResponse>(await clients.A900!.request('GET', '/api/areas'))).areas).toEqual([]);
  });

  it('equals the fixture month worked out by hand, months falling at midnight UTC+8', async () => {
    await report('criminal', '2026-10-05T02:00:00.000Z', IN_A);
    await report('public-order', '2026-10-31T15:59:59.999Z', IN_A, 1); // 23:59:59.999 on 31 October in UTC+8
    await report('burglary', '2026-09-30T16:00:00.000Z', IN_COMMUNITY); // 1 October 00:00 in UTC+8, still September in UTC
    await report('burglary', '2026-09-30T15:59:59.999Z', IN_COMMUNITY); // 30 September in UTC+8
    await report('traffic', '2026-10-10T10:00:00.000Z', IN_B, 2);
    await report('fire', '2026-10-31T16:00:00.000Z', IN_B); // 1 November in UTC+8
    await report('motorbike-theft', '2026-10-12T03:00:00.000Z', IN_A);
    await report('vehicle-theft', '2026-10-15T03:00:00.000Z', NOWHERE);
    await report('criminal', '2026-10-16T03:00:00.000Z', null); // an address only
    await report('dispute', '2026-10-17T03:00:00.000Z', IN_A); // counts in none of the groups

    const answer = await index('2026-10');
    expect(answer.month).toBe('2026-10');
    expect(answer.months.map((m) => m.month)).toEqual([
      '2025-11',
      '2025-12',
      '2026-01',
      '2026-02',
      '2026-03',
      '2026-04',
      '2026-05',
      '2026-06',
      '2026-07',
      '2026-08',
      '2026-09',
      '2026-10',
    ]);
    const october = answer.months[11];
    // 甲街道: criminal, public order, the burglary of 1 October and the motorbike theft: 4 per 20,000 = 2.0 per 10,000; one death.
    expect(town(october, TOWN_A)).toEqual({
      areaId: TOWN_A,
      counts: { 'criminal-order': 4, fire: 0, traffic: 0 },
      deaths: { 'criminal-order': 1, fire: 0, traffic: 0 },
      rates: { 'criminal-order': 2, fire: 0, traffic: 0 },
      demo: 0,
    });
    // 乙镇: the traffic incident, 1 per 5,000 = 2.0 per 10,000, two deaths; its fire is November's.
    expect(town(october, TOWN_B)).toEqual({
      areaId: TOWN_B,
      counts: { 'criminal-order': 0, fire: 0, traffic: 1 },
      deaths: { 'criminal-order': 0, fire: 0, traffic: 2 },
      rates: { 'criminal-order': 0, fire: 0, traffic: 2 },
      demo: 0,
    });
    expect(october?.communities.find((c) => c.areaId === COMMUNITY)).toEqual({
      areaId: COMMUNITY,
      counts: { burglary: 1, 'motorbike-theft': 0, 'vehicle-theft': 0 },
      total: 1,
      demo: 0,
    });
    // Every incident of October, placed or not: eight; the address-only one unplaced, the one in no area outside.
    expect(october).toMatchObject({ incidents: 8, unplaced: 1, outside: 1, demo: 0 });
    // The demo's own towns are listed, with nothing in them.
    expect(
      october?.towns
        .filter((t) => t.areaId !== TOWN_A && t.areaId !== TOWN_B)
        .every((t) => t.counts['criminal-order'] + t.counts.fire + t.counts.traffic === 0),
    ).toBe(true);
    const september = answer.months[10];
    expect(september?.communities.find((c) => c.areaId === COMMUNITY)?.counts.burglary).toBe(1);
    expect(september?.incidents).toBe(1);
    expect(answer.preventable).toEqual(['burglary', 'motorbike-theft', 'vehicle-theft']);
    expect(answer.areas.find((a) => a.id === TOWN_A)).toEqual({
      id: TOWN_A,
      level: 'town',
      parentId: null,
      name: { 'zh-CN': '甲街道', en: 'Jia Subdistrict' },
      population: 20_000,
      approximate: false,
    });

    // The server's month is November (its clock is 29 November): the default, with the fire in it.
    const november = (await index()).months.at(-1);
    expect(november?.month).toBe('2026-11');
    expect(town(november, TOWN_B)?.counts.fire).toBe(1);
  });

  it('places each incident at ingest; an area import moves them to their new areas, as a rebuild from records and a re-placing would', async () => {
    const db = server.database.db;
    const places = () => db.selectFrom('incidents').select(['incident_id', 'district_month', 'town_id', 'community_id']).orderBy('incident_id').execute();
    const before = await places();
    // Stored with its month in district time and the areas its location lies in.
    // 甲街道: criminal, public order, both burglaries, the motorbike theft and the dispute; the community: both burglaries.
    expect(before.filter((p) => p.town_id === TOWN_A).length).toBe(6);
    expect(before.filter((p) => p.community_id === COMMUNITY).length).toBe(2);
    expect(before.filter((p) => p.district_month === '2026-10').length).toBe(8);

    // The boundaries move: 甲街道 goes north, and 乙镇 now spans both old squares, so everything
    // of 甲街道 falls in 乙镇 (the community keeps its square and its parent).
    const moved = structuredClone(FIXTURE);
    moved.features[0]!.geometry = square(113.0, 22.02, 0.02);
    moved.features[1]!.geometry = {
      type: 'Polygon',
      coordinates: [
        [
          [113.0, 22.0],
          [113.04, 22.0],
          [113.04, 22.02],
          [113.0, 22.02],
          [113.0, 22.0],
        ],
      ],
    };
    const imported = await clients.A001!.request('POST', '/api/admin/areas/import', moved);
    expect(imported.status).toBe(200);
    expect(await json<{ created: number; updated: number; moved: number }>(imported)).toEqual({ created: 0, updated: 3, moved: 6 });
    const october = (await index('2026-10')).months[11];
    expect(town(october, TOWN_A)?.counts).toEqual({ 'criminal-order': 0, fire: 0, traffic: 0 });
    // 乙镇 (5,000 residents): the four criminal and public-order incidents of 甲街道's October, 8 per 10,000, and its traffic incident.
    expect(town(october, TOWN_B)).toEqual({
      areaId: TOWN_B,
      counts: { 'criminal-order': 4, fire: 0, traffic: 1 },
      deaths: { 'criminal-order': 1, fire: 0, traffic: 2 },
      rates: { 'criminal-order': 8, fire: 0, traffic: 2 },
      demo: 0,
    });
    expect(october?.communities.find((c) => c.areaId === COMMUNITY)?.total).toBe(1);
    expect(october).toMatchObject({ incidents: 8, unplaced: 1, outside: 1 });
    const after = await places();

    // A rebuild from the records places every incident as ingest did.
    await rebuildDerived(db, { now: server.clock.now(), onUnreadable: (problem) => expect.fail(String(problem)) });
    expect(await places()).toEqual(after);
    // Incidents stored before migration 0022 have no place; the re-placing it asks for gives them theirs.
    await db.updateTable('incidents').set({ district_month: null, town_id: null, community_id: null }).execute();
    await db.insertInto('maintenance').values({ task: 'place-incidents' }).execute();
    expect(await runRequestedRebuild(db, server.clock.now(), (problem) => expect.fail(String(problem)))).toBeNull();
    expect(await places()).toEqual(after);
    expect(await db.selectFrom('maintenance').selectAll().execute()).toEqual([]);

    // Back as they were, for the tests after.
    expect((await clients.A001!.request('POST', '/api/admin/areas/import', FIXTURE)).status).toBe(200);
    expect(await places()).toEqual(before);
  });

  it('names on the incident list and page the town or street and community each incident lies in', async () => {
    const response = await clients.S001!.request('GET', '/api/incidents?from=2026-09-30T12:00:00.000Z&to=2026-10-31T12:00:00.000Z&limit=500');
    expect(response.status).toBe(200);
    const list = await json<IncidentsResponse>(response);
    const reported = (category: string) => list.incidents.filter((i) => i.category === category && i.reportedBy.badge === 'J001');
    const jia = { 'zh-CN': '甲街道', en: 'Jia Subdistrict' };
    const bing = { 'zh-CN': '丙社区', en: 'Bing Community' };
    expect(reported('burglary').map(({ town, community }) => ({ town, community }))).toEqual([
      { town: jia, community: bing },
      { town: jia, community: bing },
    ]);
    expect(reported('motorbike-theft')).toEqual([expect.objectContaining({ town: jia, community: null })]);
    expect(reported('traffic')).toEqual([expect.objectContaining({ town: { 'zh-CN': '乙镇', en: 'Yi Town' }, community: null })]);
    // Outside every area of the unit, and located by an address only: no names.
    expect(reported('vehicle-theft')).toEqual([expect.objectContaining({ town: null, community: null })]);
    expect(reported('criminal').find((i) => i.lat === null)).toMatchObject({ town: null, community: null, address: '某路 1 号' });
    const page = await json<IncidentDetailResponse>(await clients.S001!.request('GET', `/api/incidents/${reported('burglary')[0]!.incidentId}`));
    expect(page.incident).toMatchObject({ town: jia, community: bing });
  });

  it('is for leaders, supervisors and admins of the unit, never officers; bad months are refused', async () => {
    expect((await clients.J001!.request('GET', '/api/safety-index')).status).toBe(403);
    expect((await clients.J001!.request('GET', '/api/areas')).status).toBe(403);
    expect((await new Client(server.url).request('GET', '/api/safety-index')).status).toBe(401);
    expect((await clients.L001!.request('GET', '/api/safety-index?month=2026-10')).status).toBe(200);
    const other = await json<SafetyIndexResponse>(await clients.A900!.request('GET', '/api/safety-index?month=2026-10'));
    expect(other.areas).toEqual([]);
    expect(other.months.at(-1)).toMatchObject({ incidents: 0, towns: [], communities: [] });
    for (const month of ['2026-13', '26-10', '2026-12', '2019-12']) {
      const response = await clients.S001!.request('GET', `/api/safety-index?month=${month}`);
      expect(response.status, month).toBe(400);
    }
    expect((await clients.S001!.request('GET', '/api/safety-index?month=2026-10&x=1')).status).toBe(400);
  });
});

describe.each(DATABASES)('the demo past incidents on %s', (kind) => {
  it('are signed records from demo devices, marked demo, and a rebuild from records gives the same rows', async () => {
    const { database, drop } = await freshDatabase(kind);
    try {
      const db = database.db;
      const now = new Date('2026-11-29T08:00:00.000Z');
      await seedDemo(db, PASSWORD, now);
      await seedDemoAreas(db, now);
      await seedDemoIncidents(db, now, 300);
      const devices = await db.selectFrom('devices').selectAll().execute();
      expect(devices.length).toBe(6);
      expect(devices.every((d) => d.label === DEMO_DEVICE_LABEL)).toBe(true);
      const keys = new Map(devices.map((d) => [d.id, nodePublicKey(JSON.parse(d.public_key_jwk) as JsonWebKey)]));
      const records = await db.selectFrom('records').select(['record', 'device_id', 'seq', 'hash']).orderBy('device_id').orderBy('seq').execute();
      expect(records.length).toBe(300);
      let previous = { device: '', hash: '' };
      for (const row of records) {
        const parsed = parseRecord(JSON.parse(row.record));
        if (!parsed.success) throw new Error('a demo record fails its schema');
        expect(await checkSealNode(parsed.output, keys.get(row.device_id)!)).toBe('ok');
        expect(parsed.output.prev).toBe(previous.device === row.device_id ? previous.hash : '');
        previous = { device: row.device_id, hash: row.hash };
      }
      const head = devices[0]!;
      expect(head.head_hash).toBe(records.filter((r) => r.device_id === head.id).at(-1)?.hash);
      const rows = async () => db.selectFrom('incidents').selectAll().orderBy('incident_id').execute();
      const derived = await rows();
      expect(derived.length).toBe(300);
      expect(derived.every((r) => Number(r.demo) === 1)).toBe(true);
      // Within the year before now, and most placed in a town.
      expect(derived.every((r) => r.occurred_at < now.toISOString() && r.occurred_at > '2025-11-29')).toBe(true);
      await rebuildDerived(db, { now, onUnreadable: (problem) => expect.fail(String(problem)) });
      expect(await rows()).toEqual(derived);
      // A start finds them there and seeds nothing again.
      await seedDemoIndexIfMissing(db, now);
      expect((await rows()).length).toBe(300);
    } finally {
      await database.close();
      await drop();
    }
  });
});
