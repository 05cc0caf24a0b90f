import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BodyOf } from '../../../src/domain/records.js';
import { newId } from '../../../src/domain/ids.js';
import type { PushResponse } from '../../../src/domain/protocol/sync.js';
import { rebuildDerived } from '../../../src/server/records/derived.js';
import { TestDevice } from '../device.js';
import { Client, DATABASES, startServer, type TestServer } from '../harness.js';

const MINUTE = 60_000;
/** The report's photo: held by the server before the record that names it arrives (ingest waits for it otherwise). */
const PHOTO = Buffer.from([0xff, 0xd8, 0xff, 0xe0, ...'incident photo'].map((c) => (typeof c === 'string' ? c.charCodeAt(0) : c)));
const PHOTO_SHA256 = createHash('sha256').update(PHOTO).digest('hex');

describe.each(DATABASES)('incidents derived from their records on %s', (kind) => {
  let server: TestServer;
  const clients: Record<string, Client> = {};
  const devices: Record<string, TestDevice> = {};
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    server = await startServer(kind);
    for (const u of await server.database.db.selectFrom('users').select(['id', 'badge']).execute()) ids[u.badge] = u.id;
    for (const badge of ['J001', 'J002']) {
      clients[badge] = new Client(server.url);
      await clients[badge].login(badge);
      devices[badge] = await TestDevice.create(ids[badge]!);
      await devices[badge].register(clients[badge]);
    }
    const upload = await fetch(`${server.url}/api/blobs/${PHOTO_SHA256}`, {
      method: 'PUT',
      headers: { cookie: clients.J001!.cookie, 'content-type': 'image/jpeg' },
      body: PHOTO,
    });
    expect(upload.status).toBe(201);
  });
  afterAll(() => server.close());

  const push = async (badge: string, kind: 'incident.report' | 'incident.update', body: BodyOf<typeof kind>, at: number) => {
    const record = await devices[badge]!.next(kind, body as never, new Date(at));
    const response = await clients[badge]!.request('POST', '/api/sync/push', { records: [record] });
    return ((await response.json()) as PushResponse).results[0]!;
  };
  const report = (incidentId: string, t: number): BodyOf<'incident.report'> => ({
    incidentId,
    category: 'burglary',
    occurredAt: new Date(t - 30 * MINUTE).toISOString(),
    location: { source: 'fix', lat: 23.0921, lon: 114.4312, accuracy: 7 },
    description: '居民报称家中被盗',
    people: [{ role: 'victim', name: '李女士' }],
    injured: 0,
    dead: 0,
    photos: [{ sha256: PHOTO_SHA256, size: PHOTO.length, type: 'image/jpeg', width: 2048, height: 1536 }],
    shiftId: null,
  });
  const incidentRow = (incidentId: string) => server.database.db.selectFrom('incidents').selectAll().where('incident_id', '=', incidentId).executeTakeFirst();

  it('settles an incident by its latest update in device time, whichever of report and updates arrives first', async () => {
    const incidentId = newId();
    const t = server.clock.now().getTime() - 2 * 3600_000;
    // J002's updates overtake J001's report (J001's phone was offline).
    expect((await push('J002', 'incident.update', { incidentId, state: 'on-scene' }, t + 10 * MINUTE)).status).toBe('accepted');
    expect((await push('J002', 'incident.update', { incidentId, note: '已联系物业调取监控' }, t + 12 * MINUTE)).status).toBe('accepted');
    expect(await incidentRow(incidentId)).toBeUndefined();
    expect((await push('J001', 'incident.report', report(incidentId, t), t)).status).toBe('accepted');
    expect(await incidentRow(incidentId)).toMatchObject({
      status: 'on-scene',
      status_at: new Date(t + 10 * MINUTE).toISOString(),
      category: 'burglary',
      demo: 0,
    });
    // An older update arriving late never moves it back.
    expect((await push('J001', 'incident.update', { incidentId, state: 'responding' }, t + 2 * MINUTE)).status).toBe('accepted');
    expect((await incidentRow(incidentId))?.status).toBe('on-scene');
    expect((await push('J002', 'incident.update', { incidentId, state: 'handed-over', handedTo: '刑侦大队', injured: 1 }, t + 40 * MINUTE)).status).toBe(
      'accepted',
    );
    expect(await incidentRow(incidentId)).toMatchObject({ status: 'handed-over', handed_to: '刑侦大队', injured: 1, reported_injured: 0, dead: 0 });
    const timeline = await server.database.db
      .selectFrom('incident_updates')
      .select(['state', 'note'])
      .where('incident_id', '=', incidentId)
      .orderBy('at')
      .execute();
    expect(timeline).toEqual([
      { state: 'responding', note: null },
      { state: 'on-scene', note: null },
      { state: null, note: '已联系物业调取监控' },
      { state: 'handed-over', note: null },
    ]);
  });

  it('rebuilds exactly the same incidents, timelines and photo references from the records', async () => {
    const db = server.database.db;
    const snapshot = async () => ({
      incidents: await db.selectFrom('incidents').selectAll().orderBy('incident_id').execute(),
      updates: await db.selectFrom('incident_updates').selectAll().orderBy('record_id').execute(),
      photos: await db.selectFrom('incident_photos').selectAll().orderBy('incident_id').orderBy('sha256').orderBy('record_id').execute(),
    });
    const before = await snapshot();
    expect(before.incidents.length).toBeGreaterThan(0);
    expect(before.photos.length).toBeGreaterThan(0);
    await rebuildDerived(db, { now: server.clock.now(), onUnreadable: () => expect.fail('no record is unreadable') });
    expect(await snapshot()).toEqual(before);
  });

  it('rejects a malformed report alone, with the reason, and stores nothing of it', async () => {
    const incidentId = newId();
    const t = server.clock.now().getTime() - 3600_000;
    const bad = { ...report(incidentId, t), location: { source: 'address' as const, lat: null, lon: null, accuracy: null } };
    const result = await push('J001', 'incident.report', bad, t);
    expect(result.status).toBe('rejected');
    expect(JSON.stringify(result)).toContain('an address location needs the address');
    expect(await incidentRow(incidentId)).toBeUndefined();
  });
});
