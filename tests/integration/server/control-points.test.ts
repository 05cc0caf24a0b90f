import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ControlPointFeatureCollection } from '../../../src/domain/control-point-geojson.js';
import type { ControlPoint } from '../../../src/domain/control-points.js';
import { newId } from '../../../src/domain/ids.js';
import type { ApiErrorBody } from '../../../src/domain/protocol/api.js';
import type { LockdownProposal, LockdownsResponse, LockdownView } from '../../../src/domain/protocol/lockdown.js';
import type { PullResponse, PushResponse } from '../../../src/domain/protocol/sync.js';
import { positionBody, TestDevice } from '../device.js';
import { openDatabase } from '../../../src/server/db/index.js';
import { migrationProvider } from '../../../src/server/db/migrations.js';
import type { Tables } from '../../../src/server/db/schema.js';
import { Client, fastPasswordHash, DATABASES, freshStorage, PASSWORD, startServer, type TestServer } from '../harness.js';

const json = async <T>(response: Response) => (await response.json()) as T;
const list = async (client: Client) => (await json<{ controlPoints: ControlPoint[] }>(await client.request('GET', '/api/admin/control-points'))).controlPoints;

describe.each(DATABASES)('control point (卡口) administration on %s', (kind) => {
  let server: TestServer;
  let admin: Client;
  let otherAdmin: Client;
  let officer: Client;
  let leader: Client;

  beforeAll(async () => {
    server = await startServer(kind);
    // A second unit with an admin of its own, to show neither sees nor touches the other's points.
    const at = server.clock.now().toISOString();
    await server.database.db.insertInto('units').values({ id: newId(), name_zh: '惠阳分局', name_en: 'Huiyang branch' }).execute();
    const unit = await server.database.db.selectFrom('units').select('id').where('name_en', '=', 'Huiyang branch').executeTakeFirstOrThrow();
    await server.database.db
      .insertInto('users')
      .values({
        id: newId(),
        badge: 'A900',
        name: '外单位管理员',
        role: 'admin',
        unit_id: unit.id,
        squad_id: null,
        password_hash: await fastPasswordHash(PASSWORD),
        created_at: at,
      })
      .execute();
    admin = new Client(server.url);
    otherAdmin = new Client(server.url);
    officer = new Client(server.url);
    leader = new Client(server.url);
    for (const [client, badge] of [
      [admin, 'A001'],
      [otherAdmin, 'A900'],
      [officer, 'J004'],
      [leader, 'L001'],
    ] as const)
      expect((await client.login(badge)).status).toBe(200);
  });
  afterAll(() => server.close());

  /** Everything a device would hold after pulling from the start. */
  const pullAll = async (client: Client) => {
    const seen = new Map<string, Record<string, unknown>>();
    let cursor = '0';
    for (;;) {
      const page = await json<PullResponse>(await client.request('GET', `/api/sync/pull?cursor=${cursor}`));
      for (const c of page.changes) {
        const key = `${c.entity}:${c.id}`;
        if (c.op === 'delete') seen.delete(key);
        else if (c.data) seen.set(key, c.data);
      }
      cursor = page.cursor;
      if (!page.more) return seen;
    }
  };
  const pulledPoints = async (client: Client) => [...(await pullAll(client)).entries()].filter(([key]) => key.startsWith('control-point:'));

  it('lists the demo’s eight control points, every one marked approximate, and devices pull the flag', async () => {
    const points = await list(admin);
    expect(points).toHaveLength(8);
    expect(points.every((p) => p.approximate)).toBe(true);
    expect(points.map((p) => p.name.en)).toContain('Huizhou Bridge');
    const pulled = await pulledPoints(officer);
    expect(pulled).toHaveLength(8);
    expect(pulled.every(([, data]) => data.approximate === true)).toBe(true);
  });

  it('creates, edits and deletes a control point, and each change reaches devices through pull', async () => {
    const created = await admin.request('POST', '/api/admin/control-points', {
      name: { 'zh-CN': '江北收费站', en: 'Jiangbei toll gate' },
      kind: 'toll',
      lon: 114.402,
      lat: 23.121,
      approximate: false,
    });
    expect(created.status).toBe(201);
    const { controlPoint } = await json<{ controlPoint: ControlPoint }>(created);
    expect((await pullAll(officer)).get(`control-point:${controlPoint.id}`)).toEqual({ ...controlPoint });

    const edited = await admin.request('PUT', `/api/admin/control-points/${controlPoint.id}`, { ...controlPoint, lon: 114.403, approximate: true });
    expect(edited.status).toBe(200);
    expect((await pullAll(officer)).get(`control-point:${controlPoint.id}`)).toMatchObject({ lon: 114.403, approximate: true });
    expect((await list(admin)).find((p) => p.id === controlPoint.id)).toMatchObject({ lon: 114.403, approximate: true });

    expect((await admin.request('DELETE', `/api/admin/control-points/${controlPoint.id}`)).status).toBe(204);
    expect((await pullAll(officer)).has(`control-point:${controlPoint.id}`)).toBe(false);
    expect((await list(admin)).some((p) => p.id === controlPoint.id)).toBe(false);
    expect((await admin.request('DELETE', `/api/admin/control-points/${controlPoint.id}`)).status).toBe(404);
    expect((await admin.request('PUT', `/api/admin/control-points/${controlPoint.id}`, controlPoint)).status).toBe(404);
  });

  it('rejects bad input with a reason and changes nothing', async () => {
    const before = await list(admin);
    const bad = await admin.request('POST', '/api/admin/control-points', {
      name: { 'zh-CN': '桥', en: 'Bridge' },
      kind: 'tunnel',
      lon: 114.4,
      lat: 23.1,
      approximate: false,
    });
    expect(bad.status).toBe(400);
    expect(await json<ApiErrorBody>(bad)).toMatchObject({ error: 'bad-request', message: 'kind: kind must be one of road, bridge, toll, station, ferry' });
    const far = await admin.request('POST', '/api/admin/control-points', {
      name: { 'zh-CN': '桥', en: 'Bridge' },
      kind: 'bridge',
      lon: 214.4,
      lat: 23.1,
      approximate: false,
    });
    expect((await json<ApiErrorBody>(far)).message).toBe('lon: longitude must be ≤ 180');
    const point = before[0]!;
    const mismatched = await admin.request('PUT', `/api/admin/control-points/${point.id}`, { ...point, id: newId() });
    expect((await json<ApiErrorBody>(mismatched)).message).toBe('id: must match the URL');
    expect((await admin.request('PUT', `/api/admin/control-points/${point.id}`, 'not json', { 'content-type': 'application/json' })).status).toBe(400);
    expect(await list(admin)).toEqual(before);
  });

  it('rejects an import with a bad feature, names it by index and reason, and changes nothing', async () => {
    const before = await list(admin);
    const pullBefore = await pulledPoints(officer);
    const response = await admin.request('POST', '/api/admin/control-points/import', {
      type: 'FeatureCollection',
      features: [
        { type: 'Feature', properties: { name_zh: '新卡口', name_en: 'New point', kind: 'road' }, geometry: { type: 'Point', coordinates: [114.41, 23.11] } },
        { type: 'Feature', properties: { name_zh: '无类型' }, geometry: { type: 'Point', coordinates: [114.41, 23.11] } },
        { type: 'Feature', properties: { name_zh: '反了', kind: 'bridge' }, geometry: { type: 'Point', coordinates: [23.11, 114.41] } },
        {
          type: 'Feature',
          properties: { name_zh: '多边形', kind: 'road' },
          geometry: {
            type: 'Polygon',
            coordinates: [
              [
                [114.41, 23.11],
                [114.42, 23.11],
                [114.41, 23.12],
                [114.41, 23.11],
              ],
            ],
          },
        },
        { type: 'Feature', properties: { name_zh: '近似?', kind: 'road', approximate: 'yes' }, geometry: { type: 'Point', coordinates: [114.41, 23.11] } },
      ],
    });
    expect(response.status).toBe(400);
    const body = await json<ApiErrorBody>(response);
    expect(body.error).toBe('bad-request');
    expect(body.problems).toEqual([
      'feature 1 (“无类型”): properties.kind: kind must be one of road, bridge, toll, station, ferry',
      'feature 2 (“反了”): geometry.coordinates.1: latitude must be ≤ 90',
      'feature 3 (“多边形”): geometry.type: geometry must be a Point',
      'feature 4 (“近似?”): properties.approximate: must be true or false',
    ]);
    expect(body.message).toBe(body.problems![0]);
    expect(await list(admin)).toEqual(before);
    expect(await pulledPoints(officer)).toEqual(pullBefore);

    const notGeoJson = await admin.request('POST', '/api/admin/control-points/import', { type: 'Feature' });
    expect(notGeoJson.status).toBe(400);
    expect((await json<ApiErrorBody>(notGeoJson)).message).toBe('the file must be a GeoJSON FeatureCollection');
  });

  it('round-trips the unit’s control points through export and import, and an import adds new ones that the leader’s proposal uses', async () => {
    const before = await list(admin);
    const exported = await admin.request('GET', '/api/admin/control-points/export');
    expect(exported.headers.get('content-type')).toMatch(/application\/geo\+json/);
    expect(exported.headers.get('content-disposition')).toMatch(/attachment; filename="control-points-.*\.geojson"/);
    const collection = await json<ControlPointFeatureCollection>(exported);
    expect(collection.features).toHaveLength(before.length);
    expect(collection.features.every((f) => f.geometry.type === 'Point' && f.properties.approximate)).toBe(true);

    const reimport = await admin.request('POST', '/api/admin/control-points/import', collection);
    expect(await json<unknown>(reimport)).toEqual({ created: 0, updated: before.length });
    expect(await list(admin)).toEqual(before);

    // A surveyed point 1 km north of an incident far from the demo's points.
    const added = await admin.request('POST', '/api/admin/control-points/import', {
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          properties: { name_zh: '小金口路口', name_en: 'Xiaojinkou junction', kind: 'road' },
          geometry: { type: 'Point', coordinates: [114.43, 23.16] },
        },
      ],
    });
    expect(await json<unknown>(added)).toEqual({ created: 1, updated: 0 });
    const imported = (await list(admin)).find((p) => p.name.en === 'Xiaojinkou junction');
    expect(imported).toMatchObject({ kind: 'road', lon: 114.43, lat: 23.16, approximate: false });
    expect((await pullAll(officer)).get(`control-point:${imported!.id}`)).toMatchObject({ name: { en: 'Xiaojinkou junction' } });

    const proposal = await json<LockdownProposal>(await leader.request('POST', '/api/lockdowns/proposal', { lon: 114.43, lat: 23.169, radiusM: 1000 }));
    expect(proposal.points.map((p) => [p.name.en, p.approximate])).toEqual([['Xiaojinkou junction', false]]);
  });

  it('will not delete a point an ongoing lockdown mans, and the board still names it once the lockdown ended and the point is gone', async () => {
    const created = await admin.request('POST', '/api/admin/control-points', {
      name: { 'zh-CN': '水口大桥', en: 'Shuikou Bridge' },
      kind: 'bridge',
      lon: 114.46,
      lat: 23.05,
      approximate: false,
    });
    const { controlPoint } = await json<{ controlPoint: ControlPoint }>(created);
    // J001 of the leader's squad on shift near it, as their phone would report.
    const j001 = new Client(server.url);
    await j001.login('J001');
    const users = await server.database.db.selectFrom('users').select(['id', 'squad_id']).where('badge', '=', 'J001').executeTakeFirstOrThrow();
    const device = await TestDevice.create(users.id);
    await device.register(j001);
    const shiftId = newId();
    const at = new Date(server.clock.now().getTime() - 60_000);
    const start = await device.next('shift.start', { shiftId, squadId: users.squad_id!, members: [users.id], equipment: [], zoneIds: [] }, at);
    const fix = await device.next('position', { ...positionBody(shiftId, 0, at), lon: 114.461, lat: 23.051 }, at);
    const pushed = await json<PushResponse>(await j001.request('POST', '/api/sync/push', { records: [start, fix] }));
    expect(pushed.results.map((r) => r.status)).toEqual(['accepted', 'accepted']);

    const ordered = await leader.request('POST', '/api/lockdowns', {
      lon: 114.46,
      lat: 23.06,
      radiusM: 1000,
      assignments: [{ officerId: users.id, pointId: controlPoint.id }],
    });
    expect(ordered.status).toBe(201);
    const { lockdown } = await json<{ lockdown: LockdownView }>(ordered);
    expect(lockdown.points).toEqual([expect.objectContaining({ id: controlPoint.id, approximate: false })]);

    const refused = await admin.request('DELETE', `/api/admin/control-points/${controlPoint.id}`);
    expect(refused.status).toBe(409);
    expect((await json<ApiErrorBody>(refused)).message).toBe('control point is manned in a lockdown that has not ended: end the lockdown first');
    expect((await list(admin)).some((p) => p.id === controlPoint.id)).toBe(true);

    expect((await leader.request('POST', `/api/lockdowns/${lockdown.id}/end`)).status).toBe(200);
    expect((await admin.request('DELETE', `/api/admin/control-points/${controlPoint.id}`)).status).toBe(204);
    const boards = (await json<LockdownsResponse>(await leader.request('GET', '/api/lockdowns'))).lockdowns;
    expect(boards.find((l) => l.id === lockdown.id)?.points.map((p) => p.name.en)).toEqual(['Shuikou Bridge']);
    // Gone from the next proposal around the same place.
    const proposal = await json<LockdownProposal>(await leader.request('POST', '/api/lockdowns/proposal', { lon: 114.46, lat: 23.06, radiusM: 1000 }));
    expect(proposal.points.some((p) => p.id === controlPoint.id)).toBe(false);
  });

  it('keeps each admin to their own unit, and everyone else out', async () => {
    const ours = await list(admin);
    expect(await list(otherAdmin)).toEqual([]);
    const target = ours[0]!;
    expect((await otherAdmin.request('PUT', `/api/admin/control-points/${target.id}`, { ...target, lon: 114.5 })).status).toBe(404);
    expect((await otherAdmin.request('DELETE', `/api/admin/control-points/${target.id}`)).status).toBe(404);
    const overwrite = await otherAdmin.request('POST', '/api/admin/control-points/import', {
      type: 'FeatureCollection',
      features: [{ type: 'Feature', properties: { id: target.id, name_zh: '占用', kind: 'road' }, geometry: { type: 'Point', coordinates: [114.5, 23.2] } }],
    });
    expect(overwrite.status).toBe(403);
    const duplicate = await otherAdmin.request('POST', '/api/admin/control-points', { ...target, lon: 114.5 });
    expect(duplicate.status).toBe(409);
    expect(await list(admin)).toEqual(ours);

    // The other unit's own point stays with it: unit A's devices never pull it.
    const theirs = await otherAdmin.request('POST', '/api/admin/control-points', {
      name: { 'zh-CN': '淡水桥', en: 'Danshui Bridge' },
      kind: 'bridge',
      lon: 114.47,
      lat: 22.8,
      approximate: true,
    });
    expect(theirs.status).toBe(201);
    const { controlPoint } = await json<{ controlPoint: ControlPoint }>(theirs);
    expect((await pullAll(officer)).has(`control-point:${controlPoint.id}`)).toBe(false);
    expect((await list(otherAdmin)).map((p) => p.id)).toEqual([controlPoint.id]);

    for (const client of [officer, leader, new Client(server.url)]) {
      expect([401, 403]).toContain((await client.request('GET', '/api/admin/control-points')).status);
      expect([401, 403]).toContain((await client.request('POST', '/api/admin/control-points', { ...target, id: newId() })).status);
      expect([401, 403]).toContain((await client.request('DELETE', `/api/admin/control-points/${target.id}`)).status);
      expect([401, 403]).toContain((await client.request('GET', '/api/admin/control-points/export')).status);
    }
    expect(await list(admin)).toEqual(ours);
    const events = await server.database.db.selectFrom('audit_events').select(['detail']).where('kind', '=', 'geography-change').execute();
    expect(events.map((e) => (JSON.parse(e.detail ?? '{}') as { change?: string }).change)).toEqual(
      expect.arrayContaining(['control-point-created', 'control-point-updated', 'control-point-deleted']),
    );
  });
});

describe.each(DATABASES)('upgrading a %s database whose control points were seeded before they could be edited', (kind) => {
  it('marks them approximate and gives them a new version, so devices pull the flag', async () => {
    const storage = await freshStorage(kind);
    try {
      const old =
        kind === 'sqlite'
          ? new Kysely<Tables>({ dialect: new SqliteDialect({ database: new SqliteDatabase(join(storage.env.DATA_DIR, 'xunfang.sqlite')) }) })
          : new Kysely<Tables>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: storage.env.DATABASE_URL }) }) });
      const { error } = await new Migrator({ db: old, provider: migrationProvider }).migrateTo('0009-tasks-and-lockdowns');
      expect(error).toBeUndefined();
      const unitId = newId();
      await old.insertInto('units').values({ id: unitId, name_zh: '惠城分局', name_en: 'Huicheng branch' }).execute();
      await old.updateTable('sync_counters').set({ value: 41 }).where('name', '=', 'changes').execute();
      // Written with the columns of that day (no deleted or approximate yet).
      await (old as unknown as Kysely<Record<string, Record<string, unknown>>>)
        .insertInto('control_points')
        .values({
          id: newId(),
          unit_id: unitId,
          name_zh: '东新桥',
          name_en: 'Dongxin Bridge',
          kind: 'bridge',
          lon: 114.4183,
          lat: 23.0927,
          updated_at: '2026-01-01T00:00:00.000Z',
          version: 7,
        })
        .execute();
      await old.destroy();

      const upgraded = await openDatabase({ url: storage.env.DATABASE_URL, dataDir: storage.env.DATA_DIR });
      try {
        const rows = await upgraded.db.selectFrom('control_points').select(['approximate', 'deleted', 'version']).execute();
        expect(rows.map((r) => ({ ...r, version: Number(r.version) }))).toEqual([{ approximate: 1, deleted: 0, version: 42 }]);
        const counter = await upgraded.db.selectFrom('sync_counters').select('value').where('name', '=', 'changes').executeTakeFirstOrThrow();
        expect(Number(counter.value)).toBe(42);
      } finally {
        await upgraded.close();
      }
    } finally {
      await storage.drop();
    }
  });
});
