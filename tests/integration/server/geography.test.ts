import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckpointFeatureCollection } from '../../../src/domain/checkpoint-geojson.js';
import type { Checkpoint, Plan } from '../../../src/domain/checkpoints.js';
import type { AdminZonesResponse } from '../../../src/domain/protocol/admin.js';
import type { ApiErrorBody } from '../../../src/domain/protocol/api.js';
import type { PullResponse } from '../../../src/domain/protocol/sync.js';
import { Client, DATABASES, startServer, type TestServer } from '../harness.js';

const json = async <T>(response: Response) => (await response.json()) as T;

describe.each(DATABASES)('checkpoint and plan administration on %s', (kind) => {
  let server: TestServer;
  let admin: Client;
  let officer: Client;
  let officerB: Client;
  let zones: Record<string, string>;
  let squads: Record<string, string>;

  beforeAll(async () => {
    server = await startServer(kind);
    admin = new Client(server.url);
    await admin.login('A001');
    officer = new Client(server.url);
    await officer.login('J001');
    officerB = new Client(server.url);
    await officerB.login('J004');
    const zoneRows = await server.database.db
      .selectFrom('zones')
      .innerJoin('squads', 'squads.id', 'zones.squad_id')
      .select(['zones.id', 'squads.code', 'squads.id as squadId'])
      .execute();
    zones = Object.fromEntries(zoneRows.map((z) => [z.code, z.id]));
    squads = Object.fromEntries(zoneRows.map((z) => [z.code, z.squadId]));
  });
  afterAll(() => server.close());

  /** Everything an officer's device would hold after pulling from the start. */
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

  it('round-trips the unit’s checkpoints through a GeoJSON export and import without changing them', async () => {
    const before = await json<{ checkpoints: Checkpoint[] }>(await admin.request('GET', '/api/admin/checkpoints'));
    expect(before.checkpoints).toHaveLength(12);
    const exported = await admin.request('GET', '/api/admin/checkpoints/export');
    expect(exported.headers.get('content-type')).toMatch(/application\/geo\+json/);
    expect(exported.headers.get('content-disposition')).toMatch(/attachment; filename="checkpoints-.*\.geojson"/);
    const collection = await json<CheckpointFeatureCollection>(exported);
    expect(collection.features.map((f) => f.geometry.type).sort()).toEqual([...Array(10).fill('Point'), 'Polygon', 'Polygon'].sort());

    const reimport = await admin.request('POST', '/api/admin/checkpoints/import', collection);
    expect(reimport.status).toBe(200);
    expect(await reimport.json()).toEqual({ created: 0, updated: 12 });
    const after = await json<{ checkpoints: Checkpoint[] }>(await admin.request('GET', '/api/admin/checkpoints'));
    expect(after.checkpoints).toEqual(before.checkpoints);
  });

  it('lists the unit’s squads and zones for the editors, and only to admins', async () => {
    const body = await json<AdminZonesResponse>(await admin.request('GET', '/api/admin/zones'));
    expect(body.squads.map((s) => [s.code, s.name.en])).toEqual([
      ['A', 'Squad A'],
      ['B', 'Squad B'],
    ]);
    expect(body.zones).toHaveLength(4);
    expect(new Set(body.zones.map((z) => z.squadId))).toEqual(new Set([squads.A, squads.B]));
    expect(body.zones.map((z) => z.id)).toContain(zones.A);
    expect(body.zones.every((z) => z.polygon.type === 'Polygon' && z.name['zh-CN'].length > 0)).toBe(true);
    expect((await officer.request('GET', '/api/admin/zones')).status).toBe(403);
  });

  it('rejects an import with bad features, names each one, and changes nothing', async () => {
    const pullBefore = await pullAll(officer);
    const bad = {
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          properties: { zoneId: zones.A, name_zh: '新岗亭', name_en: 'New post', type: 'other', radiusM: 40 },
          geometry: { type: 'Point', coordinates: [114.41, 23.11] },
        },
        { type: 'Feature', properties: { zoneId: zones.A, name_zh: '缺半径', type: 'bank' }, geometry: { type: 'Point', coordinates: [114.41, 23.11] } },
        {
          type: 'Feature',
          properties: { zoneId: zones.A, name_zh: '没闭合', type: 'school' },
          geometry: {
            type: 'Polygon',
            coordinates: [
              [
                [114.41, 23.11],
                [114.42, 23.11],
                [114.42, 23.12],
                [114.41, 23.12],
              ],
            ],
          },
        },
        {
          type: 'Feature',
          properties: { zoneId: zones.A, name_zh: '反了', type: 'market', radiusM: 30 },
          geometry: { type: 'Point', coordinates: [23.11, 214.41] },
        },
      ],
    };
    const response = await admin.request('POST', '/api/admin/checkpoints/import', bad);
    expect(response.status).toBe(400);
    const body = await json<ApiErrorBody>(response);
    expect(body.problems).toEqual([
      'feature 1 (“缺半径”): properties.radiusM: must be a number',
      'feature 2 (“没闭合”): geometry.coordinates.0: a ring must end where it starts',
      'feature 3 (“反了”): geometry.coordinates.1: latitude must be ≤ 90',
    ]);
    expect((await json<{ checkpoints: Checkpoint[] }>(await admin.request('GET', '/api/admin/checkpoints'))).checkpoints).toHaveLength(12);
    expect(await pullAll(officer)).toEqual(pullBefore);

    const notGeoJson = await admin.request('POST', '/api/admin/checkpoints/import', { type: 'Feature' });
    expect(notGeoJson.status).toBe(400);
    expect((await json<ApiErrorBody>(notGeoJson)).message).toBe('the file must be a GeoJSON FeatureCollection');
  });

  it('creates, edits and deletes a checkpoint, and squad A’s officers hear of each change through pull while squad B’s do not', async () => {
    const created = await admin.request('POST', '/api/admin/checkpoints', {
      zoneId: zones.A,
      name: { 'zh-CN': '江北夜市', en: 'Jiangbei night market' },
      type: 'market',
      shape: { kind: 'circle', center: [114.405, 23.115], radiusM: 60 },
      minDwellS: 90,
    });
    expect(created.status).toBe(201);
    const { checkpoint } = await json<{ checkpoint: Checkpoint }>(created);
    expect((await pullAll(officer)).get(`checkpoint:${checkpoint.id}`)).toMatchObject({ name: { 'zh-CN': '江北夜市' }, minDwellS: 90 });
    expect((await pullAll(officerB)).has(`checkpoint:${checkpoint.id}`)).toBe(false);

    const edited = await admin.request('PUT', `/api/admin/checkpoints/${checkpoint.id}`, {
      ...checkpoint,
      shape: { kind: 'circle', center: [114.405, 23.115], radiusM: 80 },
    });
    expect(edited.status).toBe(200);
    expect((await pullAll(officer)).get(`checkpoint:${checkpoint.id}`)).toMatchObject({ shape: { radiusM: 80 } });
    // Squad B's devices never pulled it and squad A's would never hear it left: no moving across squads.
    const moved = await admin.request('PUT', `/api/admin/checkpoints/${checkpoint.id}`, { ...checkpoint, zoneId: zones.B });
    expect(moved.status).toBe(400);
    expect((await json<ApiErrorBody>(moved)).message).toBe("zoneId: checkpoint “江北夜市” cannot move to another squad's zone; delete it and create it there");

    expect((await admin.request('DELETE', `/api/admin/checkpoints/${checkpoint.id}`)).status).toBe(204);
    expect((await pullAll(officer)).has(`checkpoint:${checkpoint.id}`)).toBe(false);
    expect((await admin.request('DELETE', `/api/admin/checkpoints/${checkpoint.id}`)).status).toBe(404);
  });

  it('keeps plans to their squad’s checkpoints and will not delete a checkpoint a plan needs', async () => {
    const all = (await json<{ checkpoints: Checkpoint[] }>(await admin.request('GET', '/api/admin/checkpoints'))).checkpoints;
    const inA = all.filter((c) => c.zoneId === zones.A);
    const inB = all.find((c) => c.zoneId === zones.B);
    const plan = {
      squadId: squads.A,
      name: { 'zh-CN': '银行守护', en: 'Bank watch' },
      checkpointIds: [inA[0]!.id],
      rule: { kind: 'interval', everyMin: 60, from: '22:00', to: '02:00' },
    };

    const mixed = await admin.request('POST', '/api/admin/plans', { ...plan, checkpointIds: [inA[0]!.id, inB!.id] });
    expect(mixed.status).toBe(400);
    expect((await json<ApiErrorBody>(mixed)).message).toBe(`checkpointIds.1: ${inB!.id} is not a checkpoint in this squad's zones`);
    const badRule = await admin.request('POST', '/api/admin/plans', { ...plan, rule: { kind: 'interval', everyMin: 5, from: '22:00', to: '02:00' } });
    expect((await json<ApiErrorBody>(badRule)).message).toBe('rule.everyMin: at least every 10 minutes');

    const created = await admin.request('POST', '/api/admin/plans', plan);
    expect(created.status).toBe(201);
    const saved = (await json<{ plan: Plan }>(created)).plan;
    expect((await pullAll(officer)).get(`plan:${saved.id}`)).toMatchObject({ rule: { everyMin: 60 } });
    expect((await pullAll(officerB)).has(`plan:${saved.id}`)).toBe(false);

    const moved = await admin.request('PUT', `/api/admin/plans/${saved.id}`, { ...saved, squadId: squads.B });
    expect((await json<ApiErrorBody>(moved)).message).toBe('squadId: a plan cannot move to another squad; create one for that squad instead');

    const blocked = await admin.request('DELETE', `/api/admin/checkpoints/${inA[0]!.id}`);
    expect(blocked.status).toBe(409);
    expect((await json<ApiErrorBody>(blocked)).message).toContain('银行守护');

    expect((await admin.request('DELETE', `/api/admin/plans/${saved.id}`)).status).toBe(204);
    expect((await pullAll(officer)).has(`plan:${saved.id}`)).toBe(false);
  });

  it('lets only admins change geography, and writes each change to the audit log', async () => {
    for (const client of [officer, new Client(server.url)]) {
      const status = (await client.request('POST', '/api/admin/plans', {})).status;
      expect([401, 403]).toContain(status);
      expect((await client.request('GET', '/api/admin/checkpoints/export')).status).toBeGreaterThanOrEqual(401);
    }
    const events = await server.database.db.selectFrom('audit_events').select(['detail']).where('kind', '=', 'geography-change').execute();
    expect(events.map((e) => JSON.parse(e.detail ?? '{}') as { change?: string }).map((d) => d.change)).toEqual(
      expect.arrayContaining(['checkpoint-created', 'checkpoint-updated', 'checkpoint-deleted', 'plan-created', 'plan-deleted']),
    );
  });
});
