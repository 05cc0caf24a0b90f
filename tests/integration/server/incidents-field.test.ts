import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../../src/domain/ids.js';
import type { PhotoRef } from '../../../src/domain/incidents.js';
import type { IncidentDetailResponse, IncidentsResponse } from '../../../src/domain/protocol/incidents.js';
import type { PullResponse, PushResponse } from '../../../src/domain/protocol/sync.js';
import type { BodyOf } from '../../../src/domain/records.js';
import { seedDemoIncidents } from '../../../src/server/demo/incidents.js';
import { TestDevice } from '../device.js';
import { Client, DATABASES, startServer, type TestServer } from '../harness.js';

// Incidents in the field (issue 15): what others did on an officer's incidents reaches their
// device through pull, within scope; updates carry photos with thumbnails; blob storage is limited.

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
/** Bytes that start like a JPEG, so the server serves them as one. */
const jpegLike = (size: number) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(size - 4)]);

/** A photo and its thumbnail, as the worker makes them, and the reference a record names them by. */
function photoPair(size = 30_000) {
  const photo = jpegLike(size);
  const thumb = jpegLike(3_000);
  const ref: PhotoRef = {
    sha256: sha256(photo),
    size: photo.length,
    type: 'image/jpeg',
    width: 2048,
    height: 1536,
    thumb: { sha256: sha256(thumb), size: thumb.length, width: 320, height: 240 },
  };
  return { photo, thumb, ref };
}

describe.each(DATABASES)('incidents in the field on %s', (kind) => {
  let server: TestServer;
  const clients: Record<string, Client> = {};
  const devices: Record<string, TestDevice> = {};
  const ids: Record<string, string> = {};
  const badges = ['J001', 'J002', 'J003', 'J004', 'L001', 'S001'];

  beforeAll(async () => {
    server = await startServer(kind);
    for (const u of await server.database.db.selectFrom('users').select(['id', 'badge']).execute()) ids[u.badge] = u.id;
    for (const badge of badges) {
      clients[badge] = new Client(server.url);
      await clients[badge].login(badge);
      devices[badge] = await TestDevice.create(ids[badge]!);
      await devices[badge].register(clients[badge]);
    }
  });
  afterAll(() => server.close());

  const put = (badge: string, bytes: Uint8Array) =>
    fetch(`${server.url}/api/blobs/${sha256(bytes)}`, {
      method: 'PUT',
      headers: { cookie: clients[badge]!.cookie, 'content-type': 'image/jpeg' },
      body: Uint8Array.from(bytes),
    });
  const get = (badge: string, name: string) => fetch(`${server.url}/api/blobs/${name}`, { headers: { cookie: clients[badge]!.cookie } });
  const push = async <K extends 'incident.report' | 'incident.update'>(badge: string, recordKind: K, body: BodyOf<K>) => {
    const record = await devices[badge]!.next(recordKind, body);
    const response = await clients[badge]!.request('POST', '/api/sync/push', { records: [record] });
    expect(response.status).toBe(200);
    return { record, result: ((await response.json()) as PushResponse).results[0]! };
  };
  const report = (incidentId: string, extra: Partial<BodyOf<'incident.report'>> = {}): BodyOf<'incident.report'> => ({
    incidentId,
    category: 'burglary',
    occurredAt: new Date(server.clock.now().getTime() - 600_000).toISOString(),
    location: { source: 'fix', lat: 23.0921, lon: 114.4312, accuracy: 7 },
    description: '居民报称家中被盗',
    people: [],
    injured: 0,
    dead: 0,
    photos: [],
    shiftId: null,
    ...extra,
  });
  /** The incidents a badge's device holds after pulling everything from the start. */
  const pulledIncidents = async (badge: string) => {
    const incidents = new Map<string, IncidentDetailResponse>();
    let cursor = '0';
    for (;;) {
      const response = await clients[badge]!.request('GET', `/api/sync/pull?cursor=${cursor}`);
      expect(response.status).toBe(200);
      const page = (await response.json()) as PullResponse;
      for (const c of page.changes) if (c.entity === 'incident') incidents.set(c.id, c.data as unknown as IncidentDetailResponse);
      cursor = page.cursor;
      if (!page.more) return incidents;
    }
  };

  it('delivers others’ updates to the officer who reported the incident, and to no one outside its scope', async () => {
    const incidentId = newId();
    expect((await push('J001', 'incident.report', report(incidentId))).result.status).toBe('accepted');
    const { photo, thumb, ref } = photoPair();
    for (const bytes of [photo, thumb]) expect((await put('L001', bytes)).status).toBe(201);
    expect((await push('L001', 'incident.update', { incidentId, state: 'responding', note: '已派J002前往', photos: [ref] })).result.status).toBe('accepted');

    const mine = (await pulledIncidents('J001')).get(incidentId);
    expect(mine?.incident.status).toBe('responding');
    const step = mine?.timeline.find((s) => s.by.id === ids.L001);
    expect(step).toMatchObject({ kind: 'update', state: 'responding', note: '已派J002前往' });
    expect(mine?.photos).toEqual([{ ...ref, recordId: step?.recordId }]);
    // The officer may fetch the leader's photo and its thumbnail: the incident is theirs.
    for (const name of [ref.sha256, ref.thumb!.sha256]) expect((await get('J001', name)).status).toBe(200);

    // J002 (same squad, not involved) and J004 (another squad) hear nothing of it.
    for (const badge of ['J002', 'J004']) expect((await pulledIncidents(badge)).has(incidentId)).toBe(false);
    // Nor of the demo's year of seeded past incidents, though J004 "reported" some: they are history, not field work.
    await seedDemoIncidents(server.database.db, server.clock.now(), 60);
    const seeded = await server.database.db.selectFrom('incidents').select('incident_id').where('officer_id', '=', ids.J004!).where('demo', '=', 1).execute();
    expect(seeded.length).toBeGreaterThan(0);
    expect((await pulledIncidents('J004')).size).toBe(0);
    // Once J002 acts on it, their device follows it too.
    expect((await push('J002', 'incident.update', { incidentId, state: 'on-scene' })).result.status).toBe('accepted');
    expect((await pulledIncidents('J002')).get(incidentId)?.incident.status).toBe('on-scene');
    expect((await pulledIncidents('J001')).get(incidentId)?.timeline.map((s) => s.state)).toEqual(['reported', 'responding', 'on-scene']);
    // Leaders and supervisors see incidents on their screens, not through pull.
    expect((await pulledIncidents('L001')).size).toBe(0);
  });

  it('delivers an incident reported in answer to a task to the officers the task was given to', async () => {
    const created = await clients.L001!.request('POST', '/api/tasks', { kind: 'check', title: '核查警情', assignee: { to: 'officer', officerId: ids.J003 } });
    expect(created.status).toBe(201);
    const { task } = (await created.json()) as { task: { id: string } };
    const incidentId = newId();
    expect((await push('J002', 'incident.report', report(incidentId, { taskId: task.id }))).result.status).toBe('accepted');
    expect((await pulledIncidents('J003')).get(incidentId)?.incident.reportedBy.id).toBe(ids.J002);
    expect((await pulledIncidents('J001')).has(incidentId)).toBe(false);
  });

  it('holds an update back until its photo and thumbnail arrive, then takes it once', async () => {
    const incidentId = newId();
    expect((await push('J001', 'incident.report', report(incidentId))).result.status).toBe('accepted');
    const { photo, thumb, ref } = photoPair();
    const record = await devices.J001!.next('incident.update', { incidentId, note: '现场照片', photos: [ref] });
    const send = async () => ((await (await clients.J001!.request('POST', '/api/sync/push', { records: [record] })).json()) as PushResponse).results[0]!;
    expect(await send()).toEqual({ id: record.id, status: 'retry', reason: `missing-blob:${ref.sha256}` });
    expect((await put('J001', photo)).status).toBe(201);
    // The photo alone is not enough: its thumbnail is named too.
    expect(await send()).toEqual({ id: record.id, status: 'retry', reason: `missing-blob:${ref.thumb!.sha256}` });
    expect(await server.database.db.selectFrom('incident_updates').select('record_id').where('record_id', '=', record.id).execute()).toEqual([]);
    expect((await put('J001', thumb)).status).toBe(201);
    expect((await send()).status).toBe('accepted');
    expect((await send()).status).toBe('duplicate');
    const page = (await (await clients.L001!.request('GET', `/api/incidents/${incidentId}`)).json()) as IncidentDetailResponse;
    expect(page.photos).toEqual([{ ...ref, recordId: record.id }]);
    expect(page.incident.photos).toBe(1);
  });

  it('serves thumbnails only to who may see the incident, and lists them beside photos without thumbnails', async () => {
    const incidentId = newId();
    const withThumb = photoPair();
    const old = jpegLike(25_000);
    const oldRef: PhotoRef = { sha256: sha256(old), size: old.length, type: 'image/jpeg', width: 1600, height: 1200 };
    for (const bytes of [withThumb.photo, withThumb.thumb, old]) expect((await put('J001', bytes)).status).toBe(201);
    expect((await push('J001', 'incident.report', report(incidentId, { photos: [withThumb.ref, oldRef] }))).result.status).toBe('accepted');
    const allowed = { J001: 200, L001: 200, S001: 200, J002: 404, J004: 404 };
    for (const [badge, status] of Object.entries(allowed)) expect([badge, (await get(badge, withThumb.ref.thumb!.sha256)).status]).toEqual([badge, status]);
    const list = (await (await clients.L001!.request('GET', '/api/incidents')).json()) as IncidentsResponse;
    const item = list.incidents.find((i) => i.incidentId === incidentId);
    // Two photos, not four blobs; the one without a thumbnail is listed as it is (the app shows the photo).
    expect(item?.photos).toBe(2);
    expect(item?.previews.map((p) => p.thumb?.sha256 ?? null)).toEqual([withThumb.ref.thumb!.sha256, null]);
  });
});

describe.each(DATABASES)('blob limits on %s', (kind) => {
  let server: TestServer;
  const clients: Record<string, Client> = {};
  const limits = { maxBytes: 50_000, unitBytes: 150_000, officerBytes: 100_000 };

  beforeAll(async () => {
    server = await startServer(kind, { blobLimits: limits });
    for (const badge of ['J001', 'J002']) {
      clients[badge] = new Client(server.url);
      await clients[badge].login(badge);
    }
  });
  afterAll(() => server.close());

  const put = (badge: string, bytes: Uint8Array, range?: string, name = sha256(bytes)) =>
    fetch(`${server.url}/api/blobs/${name}`, {
      method: 'PUT',
      headers: { cookie: clients[badge]!.cookie, 'content-type': 'image/jpeg', ...(range ? { 'content-range': range } : {}) },
      body: Uint8Array.from(bytes),
    });
  const held = async () => (await server.database.db.selectFrom('blobs').select('sha256').execute()).length;
  const pieces = async () => (await server.database.db.selectFrom('blob_chunks').select('sha256').execute()).length;

  it('refuses a blob over the size limit with 413 and keeps nothing', async () => {
    const big = jpegLike(limits.maxBytes + 1);
    const whole = await put('J001', big);
    expect(whole.status).toBe(413);
    expect(await whole.json()).toMatchObject({ error: 'payload-too-large', message: expect.stringContaining(`at most ${limits.maxBytes} bytes`) });
    expect((await put('J001', big.subarray(0, 1000), `bytes 0-999/${big.length}`, sha256(big))).status).toBe(413);
    expect([await held(), await pieces()]).toEqual([0, 0]);
  });

  it('answers 507 past the officer’s and the unit’s quota, saying whose, and keeps nothing; bytes already held cost nothing', async () => {
    const first = jpegLike(45_000);
    const second = jpegLike(45_000);
    expect((await put('J001', first)).status).toBe(201);
    expect((await put('J001', second)).status).toBe(201);
    const third = jpegLike(20_000);
    const refused = await put('J001', third);
    expect(refused.status).toBe(507);
    expect(await refused.json()).toMatchObject({ error: 'storage-full', storage: 'officer', message: expect.stringContaining('tell your admin') });
    // In pieces, refused at the first one: nothing waits for an upload that cannot end.
    expect((await put('J001', third.subarray(0, 1000), `bytes 0-999/${third.length}`, sha256(third))).status).toBe(507);
    expect([await held(), await pieces()]).toEqual([2, 0]);
    // J002 has room of their own, but the unit has 90,000 of 150,000 bytes: 50,000 fits, then 45,000 more does not.
    expect((await put('J002', jpegLike(50_000).subarray(0, 50_000))).status).toBe(201);
    const unitFull = await put('J002', jpegLike(45_000));
    expect(unitFull.status).toBe(507);
    expect(await unitFull.json()).toMatchObject({ error: 'storage-full', storage: 'unit', message: expect.stringContaining("unit's photo storage is full") });
    expect(await held()).toBe(3);
    // The same bytes again take no room: J002 sends what J001 stored, and is noted as having it.
    expect((await put('J002', first)).status).toBe(201);
    expect(await held()).toBe(3);
  });
});
