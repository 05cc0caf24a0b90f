import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../../src/domain/ids.js';
import type { IncidentCategory } from '../../../src/domain/incidents.js';
import type { ApiErrorBody } from '../../../src/domain/protocol/api.js';
import type { IncidentCategoriesResponse } from '../../../src/domain/protocol/incidents.js';
import type { SafetyIndexResponse } from '../../../src/domain/protocol/safety-index.js';
import type { PullResponse, PushResponse } from '../../../src/domain/protocol/sync.js';
import type { BodyOf } from '../../../src/domain/records.js';
import { TestDevice } from '../device.js';
import { Client, fastPasswordHash, DATABASES, PASSWORD, startServer, type TestServer } from '../harness.js';

const json = async <T>(response: Response) => (await response.json()) as T;
const PATH = '/api/admin/incident-categories';
const FRAUD = { code: 'fraud', group: 'criminal-order', preventable: true, name: { 'zh-CN': '电信诈骗', en: 'Telecom fraud' } } as const;

/** The incident categories a pull from the start delivers, by code. */
async function pulledCategories(client: Client): Promise<Map<string, IncidentCategory>> {
  const seen = new Map<string, IncidentCategory>();
  let cursor = '0';
  for (;;) {
    const page = await json<PullResponse>(await client.request('GET', `/api/sync/pull?cursor=${cursor}`));
    for (const c of page.changes) if (c.entity === 'incident-category' && c.data) seen.set(c.id, c.data as unknown as IncidentCategory);
    cursor = page.cursor;
    if (!page.more) return seen;
  }
}

describe.each(DATABASES)('a unit’s own incident taxonomy on %s', (kind) => {
  let server: TestServer;
  const clients: Record<string, Client> = {};
  let device: TestDevice;

  beforeAll(async () => {
    server = await startServer(kind);
    const db = server.database.db;
    // A second unit, with an admin and an officer of its own.
    const otherUnit = newId();
    await db.insertInto('units').values({ id: otherUnit, name_zh: '惠阳分局', name_en: 'Huiyang branch' }).execute();
    for (const [badge, role] of [
      ['A900', 'admin'],
      ['J900', 'officer'],
    ] as const) {
      await db
        .insertInto('users')
        .values({
          id: newId(),
          badge,
          name: '外单位',
          role,
          unit_id: otherUnit,
          squad_id: null,
          password_hash: await fastPasswordHash(PASSWORD),
          created_at: server.clock.now().toISOString(),
        })
        .execute();
    }
    for (const badge of ['A001', 'A900', 'S001', 'L001', 'J001', 'J004', 'J900']) {
      clients[badge] = new Client(server.url);
      expect((await clients[badge].login(badge)).status).toBe(200);
    }
    const j001 = await db.selectFrom('users').select('id').where('badge', '=', 'J001').executeTakeFirstOrThrow();
    device = await TestDevice.create(j001.id);
    await device.register(clients.J001!);
  });
  afterAll(() => server.close());

  const reportBody = (category: string): BodyOf<'incident.report'> => ({
    incidentId: newId(),
    category,
    occurredAt: new Date(server.clock.now().getTime() - 3600_000).toISOString(),
    location: { source: 'map', lat: 23.0921, lon: 114.4312, accuracy: null },
    description: '',
    people: [],
    injured: 0,
    dead: 0,
    photos: [],
    shiftId: null,
  });
  const taxonomy = async (badge: string) => (await json<IncidentCategoriesResponse>(await clients[badge]!.request('GET', PATH))).categories;

  it('is the built-in categories until the admin adds one; only the unit’s admin adds, and bad input changes nothing', async () => {
    const builtIn = await taxonomy('A001');
    expect(builtIn.map((c) => c.code)).toEqual([
      'criminal',
      'burglary',
      'motorbike-theft',
      'vehicle-theft',
      'public-order',
      'fire',
      'traffic',
      'dispute',
      'other',
    ]);
    expect(builtIn.every((c) => !c.hidden)).toBe(true);
    for (const badge of ['S001', 'L001', 'J001']) {
      expect((await clients[badge]!.request('GET', PATH)).status, badge).toBe(403);
      expect((await clients[badge]!.request('POST', PATH, FRAUD)).status, badge).toBe(403);
      expect((await clients[badge]!.request('PUT', `${PATH}/dispute/hidden`, { hidden: true })).status, badge).toBe(403);
    }
    expect((await new Client(server.url).request('POST', PATH, FRAUD)).status).toBe(401);
    for (const [body, message] of [
      [{ ...FRAUD, code: 'Fraud' }, /^code: must be a category code/],
      [{ ...FRAUD, code: '' }, /^code: must be a category code/],
      [{ ...FRAUD, group: 'violent' }, /^group: must be one of criminal-order, fire, traffic, other/],
      [{ ...FRAUD, name: { 'zh-CN': '  ', en: 'Fraud' } }, /^name\.zh-CN: must not be empty/],
      [{ ...FRAUD, preventable: 'yes' }, /^preventable: must be true or false/],
      [{ ...FRAUD, hidden: true }, /hidden/],
    ] as const) {
      const response = await clients.A001!.request('POST', PATH, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect((await json<ApiErrorBody>(response)).message).toMatch(message);
    }
    // A built-in code is taken.
    const clash = await clients.A001!.request('POST', PATH, { ...FRAUD, code: 'burglary' });
    expect(clash.status).toBe(409);
    expect((await taxonomy('A001')).length).toBe(9);

    const created = await clients.A001!.request('POST', PATH, { ...FRAUD, name: { 'zh-CN': ' 电信诈骗 ', en: 'Telecom fraud' } });
    expect(created.status).toBe(201);
    expect((await json<{ category: IncidentCategory }>(created)).category).toEqual({ ...FRAUD, hidden: false });
    expect((await clients.A001!.request('POST', PATH, FRAUD)).status).toBe(409);
    expect((await taxonomy('A001')).at(-1)).toEqual({ ...FRAUD, hidden: false });
    // Another unit neither sees it nor may hide it; the code is free there.
    expect((await taxonomy('A900')).map((c) => c.code)).not.toContain('fraud');
    expect((await clients.A900!.request('PUT', `${PATH}/fraud/hidden`, { hidden: true })).status).toBe(404);
    const audit = await server.database.db.selectFrom('audit_events').select(['kind', 'badge', 'detail']).where('kind', '=', 'taxonomy-change').execute();
    expect(audit).toEqual([{ kind: 'taxonomy-change', badge: 'A001', detail: JSON.stringify({ change: 'incident-category-added', code: 'fraud' }) }]);
  });

  it('reaches the unit’s officers by pull, and no other unit’s', async () => {
    for (const badge of ['J001', 'J004', 'L001', 'S001'])
      expect((await pulledCategories(clients[badge]!)).get('fraud'), badge).toEqual({ id: 'fraud', ...FRAUD, hidden: false });
    expect((await pulledCategories(clients.J900!)).size).toBe(0);
  });

  it('takes a report in the unit’s category; rejects one in a category the unit does not have, alone and with the reason', async () => {
    const good = await device.next('incident.report', reportBody('fraud'));
    const unknown = await device.next('incident.report', reportBody('jaywalking'));
    const response = await json<PushResponse>(await clients.J001!.request('POST', '/api/sync/push', { records: [good, unknown] }));
    expect(response.results).toEqual([
      { id: good.id, status: 'accepted' },
      { id: unknown.id, status: 'rejected', reason: 'unknown-category: jaywalking' },
    ]);
    const stored = await server.database.db.selectFrom('incidents').select(['incident_id', 'category']).execute();
    expect(stored).toEqual([{ incident_id: good.body.incidentId, category: 'fraud' }]);
    // Another unit's officer may not report in this unit's category.
    const stranger = await TestDevice.create(
      (await server.database.db.selectFrom('users').select('id').where('badge', '=', 'J900').executeTakeFirstOrThrow()).id,
    );
    await stranger.register(clients.J900!);
    const theirs = await stranger.next('incident.report', reportBody('fraud'));
    const refused = await json<PushResponse>(await clients.J900!.request('POST', '/api/sync/push', { records: [theirs] }));
    expect(refused.results[0]).toEqual({ id: theirs.id, status: 'rejected', reason: 'unknown-category: fraud' });
  });

  it('hides a category from new reports, yet accepts a report written before it was hidden, and shows it again', async () => {
    // Written offline while the category was offered; sent after the admin hid it.
    const writtenOffline = await device.next('incident.report', reportBody('fraud'));
    const builtInOffline = await device.next('incident.report', reportBody('dispute'));
    for (const code of ['fraud', 'dispute']) {
      const hidden = await clients.A001!.request('PUT', `${PATH}/${code}/hidden`, { hidden: true });
      expect(hidden.status).toBe(200);
      expect((await json<{ category: IncidentCategory }>(hidden)).category).toMatchObject({ code, hidden: true });
    }
    expect((await clients.A001!.request('PUT', `${PATH}/nothing/hidden`, { hidden: true })).status).toBe(404);
    expect((await clients.A001!.request('PUT', `${PATH}/fraud/hidden`, { hidden: 'yes' })).status).toBe(400);
    expect((await clients.A001!.request('PUT', `${PATH}/Fraud!/hidden`, { hidden: true })).status).toBe(400);
    const pulled = await pulledCategories(clients.J001!);
    expect(pulled.get('fraud')?.hidden).toBe(true);
    expect(pulled.get('dispute')).toMatchObject({ code: 'dispute', group: 'other', hidden: true });
    const response = await json<PushResponse>(await clients.J001!.request('POST', '/api/sync/push', { records: [writtenOffline, builtInOffline] }));
    expect(response.results.map((r) => r.status)).toEqual(['accepted', 'accepted']);
    expect((await taxonomy('A001')).filter((c) => c.hidden).map((c) => c.code)).toEqual(['dispute', 'fraud']);

    const shown = await clients.A001!.request('PUT', `${PATH}/dispute/hidden`, { hidden: false });
    expect(shown.status).toBe(200);
    expect((await pulledCategories(clients.J001!)).get('dispute')?.hidden).toBe(false);
  });

  it('counts a unit category in the index group it was given, and in its communities when preventable', async () => {
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
    const town = newId();
    const community = newId();
    const imported = await clients.A001!.request('POST', '/api/admin/areas/import', {
      type: 'FeatureCollection',
      features: [
        { type: 'Feature', id: town, properties: { level: 'town', name_zh: '甲街道', population: 10_000 }, geometry: square(113.0, 22.0, 0.02) },
        {
          type: 'Feature',
          id: community,
          properties: { level: 'community', parent_id: town, name_zh: '丙社区', population: 1_000 },
          geometry: square(113.0, 22.0, 0.01),
        },
      ],
    });
    expect(imported.status).toBe(200);
    const at = { ...reportBody('fraud'), location: { source: 'map' as const, lat: 22.005, lon: 113.005, accuracy: null } };
    const record = await device.next('incident.report', at);
    expect((await json<PushResponse>(await clients.J001!.request('POST', '/api/sync/push', { records: [record] }))).results[0]?.status).toBe('accepted');
    const answer = await json<SafetyIndexResponse>(await clients.S001!.request('GET', '/api/safety-index'));
    expect(answer.preventable).toEqual(['burglary', 'motorbike-theft', 'vehicle-theft', 'fraud']);
    const month = answer.months.at(-1);
    expect(month?.towns.find((t) => t.areaId === town)?.counts).toEqual({ 'criminal-order': 1, fire: 0, traffic: 0 });
    expect(month?.communities.find((c) => c.areaId === community)).toMatchObject({ counts: { fraud: 1 }, total: 1 });
  });

  it('records identity numbers only once the unit’s admin turns them on; the choice reaches the unit’s devices by pull', async () => {
    const path = '/api/admin/incident-settings';
    expect(await json(await clients.A001!.request('GET', path))).toEqual({ idNumbers: false });
    for (const badge of ['S001', 'L001', 'J001']) expect((await clients[badge]!.request('PUT', path, { idNumbers: true })).status, badge).toBe(403);
    const bad = await clients.A001!.request('PUT', path, { idNumbers: 'on' });
    expect(bad.status).toBe(400);
    expect((await json<ApiErrorBody>(bad)).message).toMatch(/idNumbers must be true or false/);
    const withId = () => ({ ...reportBody('criminal'), people: [{ role: 'suspect' as const, name: '王某', idNumber: '441302199001011234' }] });
    const refused = await device.next('incident.report', withId());
    expect((await json<PushResponse>(await clients.J001!.request('POST', '/api/sync/push', { records: [refused] }))).results[0]).toEqual({
      id: refused.id,
      status: 'rejected',
      reason: 'id-numbers-off: this unit does not record identity numbers',
    });
    const settingsOf = async (client: Client) => {
      const found: unknown[] = [];
      let cursor = '0';
      for (;;) {
        const page = await json<PullResponse>(await client.request('GET', `/api/sync/pull?cursor=${cursor}`));
        found.push(...page.changes.filter((c) => c.entity === 'incident-settings').map((c) => c.data));
        cursor = page.cursor;
        if (!page.more) return found;
      }
    };
    expect(await settingsOf(clients.J001!)).toEqual([]);

    expect(await json(await clients.A001!.request('PUT', path, { idNumbers: true }))).toEqual({ idNumbers: true });
    expect(await json(await clients.A001!.request('GET', path))).toEqual({ idNumbers: true });
    expect(await settingsOf(clients.J001!)).toEqual([{ id: 'unit', idNumbers: true }]);
    expect(await settingsOf(clients.J900!)).toEqual([]);
    expect(await json(await clients.A900!.request('GET', path))).toEqual({ idNumbers: false });
    const taken = await device.next('incident.report', withId());
    expect((await json<PushResponse>(await clients.J001!.request('POST', '/api/sync/push', { records: [taken] }))).results[0]?.status).toBe('accepted');
  });
});
