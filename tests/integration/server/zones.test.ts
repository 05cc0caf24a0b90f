import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminZone, AdminZonesResponse } from '../../../src/domain/protocol/admin.js';
import type { UnitResponse } from '../../../src/domain/protocol/accounts.js';
import type { ApiErrorBody } from '../../../src/domain/protocol/api.js';
import type { PullResponse } from '../../../src/domain/protocol/sync.js';
import { Client, fastPasswordHash, DATABASES, PASSWORD, startServer, type TestServer } from '../harness.js';

const json = async <T>(response: Response) => (await response.json()) as T;

/** A square of `d` degrees with its south-west corner at lon, lat. */
const square = (lon: number, lat: number, d = 0.004) => ({
  type: 'Polygon' as const,
  coordinates: [
    [
      [lon, lat],
      [lon + d, lat],
      [lon + d, lat + d],
      [lon, lat + d],
      [lon, lat],
    ],
  ],
});

/** A ring whose edges cross: a bow tie. */
const BOW_TIE = {
  type: 'Polygon' as const,
  coordinates: [
    [
      [114.4, 23.1],
      [114.41, 23.11],
      [114.41, 23.1],
      [114.4, 23.11],
      [114.4, 23.1],
    ],
  ],
};

describe.each(DATABASES)('zone administration on %s', (kind) => {
  let server: TestServer;
  let admin: Client;
  /** J001 of squad A, J004 of squad B, and Y001, an officer of another unit. */
  let officerA: Client;
  let officerB: Client;
  let stranger: Client;
  /** Y002, the admin of the other unit. */
  let strangerAdmin: Client;
  let squads: Record<string, string>;
  let otherSquad: string;

  beforeAll(async () => {
    server = await startServer(kind);
    const { db } = server.database;
    // Another unit, with a squad and an officer of its own.
    await db.insertInto('units').values({ id: 'unit-y', name_zh: '别的大队', name_en: 'Another Brigade' }).execute();
    otherSquad = '0190a1f0-0000-7000-8000-0000000000ff';
    await db.insertInto('squads').values({ id: otherSquad, unit_id: 'unit-y', code: 'A', name_zh: '外一中队', name_en: 'Other squad A' }).execute();
    await db
      .insertInto('users')
      .values({
        id: 'user-y001',
        badge: 'Y001',
        name: '外单位民警',
        role: 'officer',
        unit_id: 'unit-y',
        squad_id: otherSquad,
        password_hash: await fastPasswordHash(PASSWORD),
        created_at: server.clock.now().toISOString(),
      })
      .execute();
    await db
      .insertInto('users')
      .values({
        id: 'user-y002',
        badge: 'Y002',
        name: '外单位管理员',
        role: 'admin',
        unit_id: 'unit-y',
        squad_id: null,
        password_hash: await fastPasswordHash(PASSWORD),
        created_at: server.clock.now().toISOString(),
      })
      .execute();
    strangerAdmin = new Client(server.url);
    await strangerAdmin.login('Y002');
    admin = new Client(server.url);
    await admin.login('A001');
    officerA = new Client(server.url);
    await officerA.login('J001');
    officerB = new Client(server.url);
    await officerB.login('J004');
    stranger = new Client(server.url);
    await stranger.login('Y001');
    const rows = await db.selectFrom('squads').select(['id', 'code']).where('unit_id', '!=', 'unit-y').execute();
    squads = Object.fromEntries(rows.map((s) => [s.code, s.id]));
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
  /** What a device that has pulled up to `cursor` hears next, in order. */
  const pullSince = async (client: Client, cursor: string) => json<PullResponse>(await client.request('GET', `/api/sync/pull?cursor=${cursor}`));
  const cursorOf = async (client: Client) => (await pullSince(client, '0')).cursor;
  const listZones = async () => (await json<AdminZonesResponse>(await admin.request('GET', '/api/admin/zones'))).zones;
  const zoneRows = () => server.database.db.selectFrom('zones').selectAll().orderBy('id').execute();
  const message = async (response: Response) => (await json<ApiErrorBody>(response)).message;

  it('creates a zone with its population; its squad’s officers receive it through pull, another squad’s and another unit’s do not', async () => {
    const created = await admin.request('POST', '/api/admin/zones', {
      squadId: squads.A,
      name: { 'zh-CN': '金山湖片区', en: 'Jinshan Lake' },
      polygon: square(114.43, 23.06),
      population: 12_500,
    });
    expect(created.status).toBe(201);
    const { zone } = await json<{ zone: AdminZone }>(created);
    expect(zone).toMatchObject({ squadId: squads.A, population: 12_500 });
    expect((await listZones()).find((z) => z.id === zone.id)).toEqual(zone);

    expect((await pullAll(officerA)).get(`zone:${zone.id}`)).toEqual({
      id: zone.id,
      squadId: squads.A,
      name: { 'zh-CN': '金山湖片区', en: 'Jinshan Lake' },
      polygon: square(114.43, 23.06),
      population: 12_500,
    });
    expect((await pullAll(officerB)).has(`zone:${zone.id}`)).toBe(false);
    expect((await pullAll(stranger)).has(`zone:${zone.id}`)).toBe(false);

    // Population may be left out: unknown, not zero.
    const unknown = await admin.request('POST', '/api/admin/zones', {
      squadId: squads.B,
      name: { 'zh-CN': '未知人口', en: 'Unknown' },
      polygon: square(114.44, 23.06),
    });
    expect(unknown.status).toBe(201);
    expect((await json<{ zone: AdminZone }>(unknown)).zone.population).toBeNull();
  });

  it('refuses a bad outline, another unit’s squad, NUL in a name, a negative or fractional population, and writes nothing', async () => {
    const before = await zoneRows();
    const good = { squadId: squads.A, name: { 'zh-CN': '新片区', en: 'New zone' }, polygon: square(114.45, 23.06), population: 100 };
    const open = { type: 'Polygon', coordinates: [square(114.45, 23.06).coordinates[0]!.slice(0, 4)] };
    const twoPoints = {
      type: 'Polygon',
      coordinates: [
        [
          [114.45, 23.06],
          [114.46, 23.06],
          [114.46, 23.06],
          [114.45, 23.06],
        ],
      ],
    };
    const offEarth = square(181, 23.06);
    const cases: Array<[unknown, RegExp]> = [
      [{ ...good, polygon: BOW_TIE }, /^polygon: ring 0 crosses itself \(edges 1 and 3\)$/],
      [{ ...good, polygon: open }, /a ring must end where it starts/],
      [{ ...good, polygon: twoPoints }, /ring 0 needs at least 3 distinct positions/],
      [{ ...good, polygon: offEarth }, /longitude must be ≤ 180/],
      [{ ...good, squadId: otherSquad }, /^squadId: .* is not a squad of your unit$/],
      [{ ...good, name: { 'zh-CN': '坏\0名', en: 'Bad' } }, /NUL/],
      [{ ...good, name: { 'zh-CN': '  ', en: 'Blank' } }, /^name\.zh-CN: is required$/],
      [{ ...good, population: -1 }, /^population: must be ≥ 0$/],
      [{ ...good, population: 2.5 }, /^population: must be a whole number$/],
      [{ ...good, population: '100' }, /^population: /],
    ];
    for (const [body, reason] of cases) {
      const response = await admin.request('POST', '/api/admin/zones', body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(await message(response)).toMatch(reason);
    }
    expect(await zoneRows()).toEqual(before);
  });

  it('edits a zone’s names, outline and population; officers hear the change, and a stranger cannot touch it', async () => {
    const [zone] = (await listZones()).filter((z) => z.name.en === 'Jinshan Lake');
    if (!zone) throw new Error('the zone made above is missing');
    const edited = { ...zone, name: { 'zh-CN': '金山湖', en: 'Jinshan Lake (north)' }, polygon: square(114.43, 23.065), population: 13_000 };
    const response = await admin.request('PUT', `/api/admin/zones/${zone.id}`, edited);
    expect(response.status).toBe(200);
    expect((await pullAll(officerA)).get(`zone:${zone.id}`)).toMatchObject({
      name: { en: 'Jinshan Lake (north)' },
      population: 13_000,
      polygon: square(114.43, 23.065),
    });

    // Another unit's admin finds no such zone, to edit or to delete.
    const hijack = await strangerAdmin.request('PUT', `/api/admin/zones/${zone.id}`, { ...edited, squadId: otherSquad, population: 1 });
    expect(hijack.status).toBe(404);
    expect((await strangerAdmin.request('DELETE', `/api/admin/zones/${zone.id}`)).status).toBe(404);
    expect((await strangerAdmin.request('GET', '/api/admin/zones')).status).toBe(200);
    expect((await json<AdminZonesResponse>(await strangerAdmin.request('GET', '/api/admin/zones'))).zones).toEqual([]);
    expect((await admin.request('PUT', `/api/admin/zones/${zone.id}`, { ...edited, id: squads.A })).status).toBe(400);
    expect((await admin.request('PUT', `/api/admin/zones/${zone.id}`, { ...edited, population: -5 })).status).toBe(400);
    expect((await pullAll(officerA)).get(`zone:${zone.id}`)).toMatchObject({ population: 13_000 });
  });

  it('moves a zone without checkpoints to another squad: the old squad hears it is gone, the new one receives it', async () => {
    const zone = (await listZones()).find((z) => z.name.en === 'Jinshan Lake (north)');
    if (!zone) throw new Error('the zone edited above is missing');
    const cursorA = await cursorOf(officerA);
    const moved = await admin.request('PUT', `/api/admin/zones/${zone.id}`, { ...zone, squadId: squads.B });
    expect(moved.status).toBe(200);
    const heardA = await pullSince(officerA, cursorA);
    expect(heardA.changes.filter((c) => c.entity === 'zone')).toEqual([{ entity: 'zone', id: zone.id, op: 'delete', data: null }]);
    expect((await pullAll(officerA)).has(`zone:${zone.id}`)).toBe(false);
    expect((await pullAll(officerB)).get(`zone:${zone.id}`)).toMatchObject({ squadId: squads.B, population: 13_000 });
    // The admin pulls every squad: the deletion comes before the zone's new copy, so it keeps the zone.
    expect((await pullAll(admin)).get(`zone:${zone.id}`)).toMatchObject({ squadId: squads.B });

    // And back again: squad A receives it once more.
    expect((await admin.request('PUT', `/api/admin/zones/${zone.id}`, { ...zone, squadId: squads.A })).status).toBe(200);
    expect((await pullAll(officerA)).get(`zone:${zone.id}`)).toMatchObject({ squadId: squads.A });
    expect((await pullAll(officerB)).has(`zone:${zone.id}`)).toBe(false);
  });

  it('keeps a zone with checkpoints in its squad, and refuses to delete it while they are live, saying why and changing nothing', async () => {
    const zone = (await listZones()).find((z) => z.name.en === 'Jinshan Lake (north)');
    if (!zone) throw new Error('the zone is missing');
    const checkpoint = await admin.request('POST', '/api/admin/checkpoints', {
      zoneId: zone.id,
      name: { 'zh-CN': '湖边岗亭', en: 'Lakeside post' },
      type: 'other',
      shape: { kind: 'circle', center: [114.432, 23.067], radiusM: 40 },
      minDwellS: 60,
    });
    expect(checkpoint.status).toBe(201);
    const before = await zoneRows();
    const pulledBefore = await pullAll(officerA);

    const move = await admin.request('PUT', `/api/admin/zones/${zone.id}`, { ...zone, squadId: squads.B });
    expect(move.status).toBe(409);
    expect(await message(move)).toBe(
      'squadId: zone “金山湖” holds 1 checkpoint(s) (“湖边岗亭”) and stays with its squad; delete or move them to another zone first',
    );
    const remove = await admin.request('DELETE', `/api/admin/zones/${zone.id}`);
    expect(remove.status).toBe(409);
    expect(await message(remove)).toBe('the zone still holds 1 checkpoint(s) (“湖边岗亭”): delete them or move them to another zone first');
    expect(await zoneRows()).toEqual(before);
    expect(await pullAll(officerA)).toEqual(pulledBefore);

    // Once the checkpoint is gone the zone may go; devices hear of it through pull.
    const { checkpoint: saved } = await json<{ checkpoint: { id: string } }>(checkpoint);
    expect((await admin.request('DELETE', `/api/admin/checkpoints/${saved.id}`)).status).toBe(204);
    expect((await admin.request('DELETE', `/api/admin/zones/${zone.id}`)).status).toBe(204);
    expect((await pullAll(officerA)).has(`zone:${zone.id}`)).toBe(false);
    expect((await listZones()).some((z) => z.id === zone.id)).toBe(false);
    expect((await admin.request('DELETE', `/api/admin/zones/${zone.id}`)).status).toBe(404);
    // A deleted zone takes no new checkpoints.
    const late = await admin.request('POST', '/api/admin/checkpoints', {
      zoneId: zone.id,
      name: { 'zh-CN': '迟到', en: 'Late' },
      type: 'other',
      shape: { kind: 'circle', center: [114.432, 23.067], radiusM: 40 },
      minDwellS: 60,
    });
    expect(late.status).toBe(400);
  });

  it('round-trips the unit’s zones through a GeoJSON export and import without changing them', async () => {
    const before = await listZones();
    const exported = await admin.request('GET', '/api/admin/zones/export');
    expect(exported.headers.get('content-type')).toMatch(/application\/geo\+json/);
    expect(exported.headers.get('content-disposition')).toMatch(/attachment; filename="zones-.*\.geojson"/);
    const collection = await json<{ features: Array<{ properties: Record<string, unknown> }> }>(exported);
    expect(collection.features).toHaveLength(before.length);
    expect(collection.features.map((f) => f.properties.squad).sort()).toEqual(before.map((z) => (z.squadId === squads.A ? 'A' : 'B')).sort());
    const reimport = await admin.request('POST', '/api/admin/zones/import', collection);
    expect(reimport.status).toBe(200);
    expect(await reimport.json()).toEqual({ created: 0, updated: before.length });
    expect(await listZones()).toEqual(before);
  });

  it('imports new zones by squad code, all or nothing: one bad feature writes nothing, and every bad feature is named', async () => {
    const before = await zoneRows();
    const pulledBefore = await pullAll(officerA);
    const feature = (properties: Record<string, unknown>, geometry: unknown = square(114.46, 23.07)) => ({ type: 'Feature', properties, geometry });
    const bad = {
      type: 'FeatureCollection',
      features: [
        feature({ squad: 'A', name_zh: '好片区', name_en: 'Good zone', population: 800 }),
        feature({ squad: 'A', name_zh: '交叉', name_en: 'Crossed' }, BOW_TIE),
        feature({ squad: 'Z', name_zh: '无此中队' }),
        feature({ squadId: otherSquad, name_zh: '外单位' }),
        feature({ squad: 'B', name_zh: '负人口', population: -3 }),
        feature({ squad: 'B', name_zh: '点' }, { type: 'Point', coordinates: [114.46, 23.07] }),
      ],
    };
    const response = await admin.request('POST', '/api/admin/zones/import', bad);
    expect(response.status).toBe(400);
    expect((await json<ApiErrorBody>(response)).problems).toEqual([
      'feature 1 (“交叉”): geometry: ring 0 crosses itself (edges 1 and 3)',
      'feature 2 (“无此中队”): properties.squad: no squad “Z” in your unit',
      `feature 3 (“外单位”): properties.squadId: ${otherSquad} is not a squad of your unit`,
      'feature 4 (“负人口”): properties.population: must be ≥ 0',
      'feature 5 (“点”): geometry.type: geometry must be a Polygon',
    ]);
    expect(await zoneRows()).toEqual(before);
    expect(await pullAll(officerA)).toEqual(pulledBefore);

    const good = await admin.request('POST', '/api/admin/zones/import', { type: 'FeatureCollection', features: [bad.features[0]] });
    expect(good.status).toBe(200);
    expect(await good.json()).toEqual({ created: 1, updated: 0 });
    const imported = (await listZones()).find((z) => z.name['zh-CN'] === '好片区');
    expect(imported).toMatchObject({ squadId: squads.A, population: 800, name: { en: 'Good zone' } });
    expect((await pullAll(officerA)).get(`zone:${imported?.id}`)).toMatchObject({ population: 800 });
    expect((await pullAll(stranger)).has(`zone:${imported?.id}`)).toBe(false);
  });

  it('writes every zone change to the audit log, and lets only admins change zones', async () => {
    const events = await server.database.db.selectFrom('audit_events').select(['detail']).where('kind', '=', 'geography-change').execute();
    const details = events.map((e) => JSON.parse(e.detail ?? '{}') as { change?: string; zoneImport?: unknown });
    expect(details.map((d) => d.change)).toEqual(expect.arrayContaining(['zone-created', 'zone-updated', 'zone-deleted']));
    expect(details.filter((d) => d.zoneImport)).toHaveLength(2);
    // Each change was announced to the unit on the live channel, in its own transaction: devices pull at once.
    const announced = await server.database.db
      .selectFrom('live_events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('kind', '=', 'changes')
      .where('unit_id', '!=', 'unit-y')
      .executeTakeFirstOrThrow();
    expect(Number(announced.n)).toBeGreaterThanOrEqual(events.length);
    for (const client of [officerA, new Client(server.url)]) {
      expect([401, 403]).toContain((await client.request('POST', '/api/admin/zones', {})).status);
    }
  });

  it('shows and renames the admin’s own unit, in the audit log, refusing a blank name', async () => {
    expect(await json<UnitResponse>(await admin.request('GET', '/api/admin/unit'))).toMatchObject({
      name: { 'zh-CN': '惠城区巡特警大队', en: 'Huicheng Patrol Brigade' },
    });
    const blank = await admin.request('PUT', '/api/admin/unit', { name: { 'zh-CN': ' ', en: 'X' } });
    expect(blank.status).toBe(400);
    expect(await message(blank)).toBe('name.zh-CN: name.zh-CN is empty');
    const renamed = await admin.request('PUT', '/api/admin/unit', {
      name: { 'zh-CN': '惠城分局巡特警大队', en: 'Huicheng Patrol and Special Police Brigade' },
    });
    expect(renamed.status).toBe(200);
    expect(await json<UnitResponse>(await admin.request('GET', '/api/admin/unit'))).toMatchObject({
      name: { 'zh-CN': '惠城分局巡特警大队', en: 'Huicheng Patrol and Special Police Brigade' },
    });
    const other = await server.database.db.selectFrom('units').select('name_zh').where('id', '=', 'unit-y').executeTakeFirstOrThrow();
    expect(other.name_zh).toBe('别的大队');
    const events = await server.database.db.selectFrom('audit_events').select(['detail']).where('kind', '=', 'unit-change').execute();
    expect(events.map((e) => JSON.parse(e.detail ?? '{}') as unknown)).toEqual([
      {
        renamed: {
          from: { 'zh-CN': '惠城区巡特警大队', en: 'Huicheng Patrol Brigade' },
          to: { 'zh-CN': '惠城分局巡特警大队', en: 'Huicheng Patrol and Special Police Brigade' },
        },
      },
    ]);
    expect((await officerA.request('PUT', '/api/admin/unit', { name: { 'zh-CN': '篡改', en: 'Hijack' } })).status).toBe(403);
  });
});
