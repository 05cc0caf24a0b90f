import { createHash, randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_PHOTO_BYTES } from '../../../src/domain/incidents.js';
import { newId } from '../../../src/domain/ids.js';
import { BLOB_RECEIVED_HEADER } from '../../../src/domain/protocol/blobs.js';
import type { PushResponse } from '../../../src/domain/protocol/sync.js';
import type { BodyOf } from '../../../src/domain/records.js';
import { TestDevice } from '../device.js';
import { Client, DATABASES, startServer, type TestServer } from '../harness.js';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
/** Bytes that start like a JPEG, so the server serves them as one. */
const jpegLike = (size: number) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(size - 4)]);

describe.each(DATABASES)('blobs on %s', (kind) => {
  let server: TestServer;
  const clients: Record<string, Client> = {};
  const devices: Record<string, TestDevice> = {};
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    server = await startServer(kind);
    for (const u of await server.database.db.selectFrom('users').select(['id', 'badge']).execute()) ids[u.badge] = u.id;
    for (const badge of ['J001', 'J002', 'J004', 'L001', 'L002', 'S001']) {
      clients[badge] = new Client(server.url);
      await clients[badge].login(badge);
    }
    for (const badge of ['J001', 'J002', 'J004', 'L001']) {
      devices[badge] = await TestDevice.create(ids[badge]!);
      await devices[badge].register(clients[badge]!);
    }
  });
  afterAll(() => server.close());

  const put = (badge: string, name: string, bytes: Uint8Array, range?: string) =>
    fetch(`${server.url}/api/blobs/${name}`, {
      method: 'PUT',
      headers: { cookie: clients[badge]!.cookie, 'content-type': 'image/jpeg', ...(range ? { 'content-range': range } : {}) },
      body: Uint8Array.from(bytes),
    });
  const head = (badge: string, name: string) => fetch(`${server.url}/api/blobs/${name}`, { method: 'HEAD', headers: { cookie: clients[badge]!.cookie } });
  const get = (badge: string, name: string) => fetch(`${server.url}/api/blobs/${name}`, { headers: { cookie: clients[badge]!.cookie } });
  const storedFiles = async (name: string) => (await server.database.db.selectFrom('blobs').select('size').where('sha256', '=', name).execute()).length;

  const push = async (badge: string, recordKind: 'incident.report' | 'incident.update', body: object) => {
    const record = await devices[badge]!.next(recordKind, body as never);
    const response = await clients[badge]!.request('POST', '/api/sync/push', { records: [record] });
    expect(response.status).toBe(200);
    return ((await response.json()) as PushResponse).results[0]!;
  };
  const report = (incidentId: string, photos: Array<{ sha256: string; size: number }>, extra: Partial<BodyOf<'incident.report'>> = {}) => ({
    incidentId,
    category: 'burglary',
    occurredAt: new Date(server.clock.now().getTime() - 600_000).toISOString(),
    location: { source: 'fix', lat: 23.0921, lon: 114.4312, accuracy: 7 },
    description: '居民报称家中被盗',
    people: [],
    injured: 0,
    dead: 0,
    photos: photos.map((p) => ({ ...p, type: 'image/jpeg', width: 2048, height: 1536 })),
    shiftId: null,
    ...extra,
  });

  it('stores the same bytes once, however often they are put, and answers who sent them with the bytes', async () => {
    const bytes = jpegLike(40_000);
    const name = sha256(bytes);
    expect((await put('J001', name, bytes)).status).toBe(201);
    const again = await put('J001', name, bytes);
    expect(again.status).toBe(201);
    expect(await again.json()).toEqual({ sha256: name, received: 40_000, total: 40_000, complete: true });
    expect(await storedFiles(name)).toBe(1);
    const fetched = await get('J001', name);
    expect(fetched.status).toBe(200);
    expect(fetched.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await fetched.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('keeps nothing whose bytes do not hash to its name, and refuses bad names and oversize blobs with a 400 or 413', async () => {
    const bytes = jpegLike(1000);
    const wrong = sha256(Buffer.from('something else'));
    const response = await put('J001', wrong, bytes);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toContain('do not hash');
    expect(await storedFiles(wrong)).toBe(0);
    expect((await put('J001', 'NOT-A-HASH', bytes)).status).toBe(400);
    expect((await put('J001', sha256(bytes), bytes, `bytes 0-999/${MAX_PHOTO_BYTES + 1}`)).status).toBe(413);
    const anonymous = await fetch(`${server.url}/api/blobs/${sha256(bytes)}`, { method: 'PUT', headers: { 'content-type': 'image/jpeg' }, body: bytes });
    expect(anonymous.status).toBe(401);
  });

  it('resumes a 5 MB upload cut half-way from the byte HEAD says it holds', async () => {
    const bytes = jpegLike(5 * 1024 * 1024);
    const name = sha256(bytes);
    const total = bytes.length;
    const half = total / 2;
    // The whole blob in one request, cut off half-way: the server keeps nothing of it.
    await new Promise<void>((resolve) => {
      const url = new URL(`${server.url}/api/blobs/${name}`);
      const req = httpRequest({
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'PUT',
        headers: { cookie: clients.J001!.cookie, 'content-type': 'image/jpeg', 'content-length': total },
      });
      req.on('error', () => resolve());
      req.write(bytes.subarray(0, half), () => setTimeout(() => (req.destroy(), resolve()), 100));
    });
    expect((await head('J001', name)).headers.get(BLOB_RECEIVED_HEADER)).toBe('0');
    // In pieces: the first 1 MiB goes through, the second is cut (never arrives), then HEAD says where to go on.
    const piece = 1024 * 1024;
    const first = await put('J001', name, bytes.subarray(0, piece), `bytes 0-${piece - 1}/${total}`);
    expect(first.status).toBe(202);
    expect(await first.json()).toEqual({ sha256: name, received: piece, total, complete: false });
    const held = await head('J001', name);
    expect(held.status).toBe(404);
    expect(held.headers.get(BLOB_RECEIVED_HEADER)).toBe(String(piece));
    // A piece that does not start where the held ones end is refused, naming where to start.
    const skipped = await put('J001', name, bytes.subarray(2 * piece, 3 * piece), `bytes ${2 * piece}-${3 * piece - 1}/${total}`);
    expect(skipped.status).toBe(409);
    expect(((await skipped.json()) as { message: string }).message).toContain(`send from byte ${piece}`);
    // Someone else's pieces are their own: J002 starts at 0.
    expect((await head('J002', name)).headers.get(BLOB_RECEIVED_HEADER)).toBe('0');
    for (let start = piece; start < total; start += piece) {
      const end = Math.min(total, start + piece);
      const response = await put('J001', name, bytes.subarray(start, end), `bytes ${start}-${end - 1}/${total}`);
      expect(response.status).toBe(end === total ? 201 : 202);
    }
    const done = await head('J001', name);
    expect(done.status).toBe(200);
    expect(done.headers.get(BLOB_RECEIVED_HEADER)).toBe(String(total));
    expect(Buffer.from(await (await get('J001', name)).arrayBuffer()).equals(bytes)).toBe(true);
    expect(await server.database.db.selectFrom('blob_chunks').select('sha256').where('sha256', '=', name).execute()).toEqual([]);
  });

  it('drops the pieces of an upload left for a week when its uploader starts another', async () => {
    const abandoned = jpegLike(3000);
    expect((await put('J002', sha256(abandoned), abandoned.subarray(0, 1000), 'bytes 0-999/3000')).status).toBe(202);
    const pieces = () => server.database.db.selectFrom('blob_chunks').select('sha256').where('sha256', '=', sha256(abandoned)).execute();
    expect(await pieces()).toHaveLength(1);
    // Left for eight days (moving the server's clock would end every session of the suite).
    const eightDaysAgo = new Date(server.clock.now().getTime() - 8 * 24 * 3600_000).toISOString();
    await server.database.db.updateTable('blob_chunks').set({ at: eightDaysAgo }).where('sha256', '=', sha256(abandoned)).execute();
    const next = jpegLike(2000);
    expect((await put('J002', sha256(next), next.subarray(0, 1000), 'bytes 0-999/2000')).status).toBe(202);
    expect(await pieces()).toEqual([]);
    expect((await head('J002', sha256(abandoned))).headers.get(BLOB_RECEIVED_HEADER)).toBe('0');
  });

  it('waits for a photo the server lacks: the record is answered retry, stored nothing, and accepted once the photo arrives', async () => {
    const bytes = jpegLike(20_000);
    const name = sha256(bytes);
    const incidentId = newId();
    const record = await devices.J001!.next('incident.report', report(incidentId, [{ sha256: name, size: bytes.length }]) as never);
    const send = async () => ((await (await clients.J001!.request('POST', '/api/sync/push', { records: [record] })).json()) as PushResponse).results[0]!;
    expect(await send()).toEqual({ id: record.id, status: 'retry', reason: `missing-blob:${name}` });
    expect(await server.database.db.selectFrom('records').select('id').where('id', '=', record.id).execute()).toEqual([]);
    expect(await server.database.db.selectFrom('incidents').select('incident_id').where('incident_id', '=', incidentId).execute()).toEqual([]);
    expect((await put('J001', name, bytes)).status).toBe(201);
    expect((await send()).status).toBe('accepted');
    expect((await send()).status).toBe('duplicate');
  });

  it('serves a named photo to who may see its incident only, and to its uploader before any incident names it', async () => {
    const bytes = jpegLike(30_000);
    const name = sha256(bytes);
    expect((await put('J001', name, bytes)).status).toBe(201);
    // Before a record names it: its uploader only (J002 has the same squad, but not the bytes).
    expect((await get('J001', name)).status).toBe(200);
    for (const badge of ['J002', 'L001', 'S001']) expect((await get(badge, name)).status).toBe(404);
    const incidentId = newId();
    expect((await push('J001', 'incident.report', report(incidentId, [{ sha256: name, size: bytes.length }]))).status).toBe('accepted');
    const allowed = { J001: 200, L001: 200, S001: 200, J002: 404, J004: 404, L002: 404 };
    for (const [badge, status] of Object.entries(allowed)) expect([badge, (await get(badge, name)).status]).toEqual([badge, status]);
    // HEAD says nothing of it to who may not see it either.
    const peek = await head('J004', name);
    expect([peek.status, peek.headers.get(BLOB_RECEIVED_HEADER)]).toEqual([404, '0']);
    const anonymous = await fetch(`${server.url}/api/blobs/${name}`);
    expect(anonymous.status).toBe(401);
  });

  it('takes an update only from who may act on the incident, and refuses unknown categories and identity numbers', async () => {
    const incidentId = newId();
    expect((await push('J001', 'incident.report', report(incidentId, []))).status).toBe('accepted');
    expect((await push('J002', 'incident.update', { incidentId, state: 'responding' })).status).toBe('accepted');
    expect((await push('L001', 'incident.update', { incidentId, note: '已派员' })).status).toBe('accepted');
    const outsider = await push('J004', 'incident.update', { incidentId, state: 'resolved' });
    expect(outsider).toMatchObject({ status: 'rejected', reason: expect.stringContaining('incident-out-of-scope') });
    const row = await server.database.db.selectFrom('incidents').select('status').where('incident_id', '=', incidentId).executeTakeFirstOrThrow();
    expect(row.status).toBe('responding');

    const unknown = await push('J001', 'incident.report', report(newId(), [], { category: 'jaywalking' }));
    expect(unknown).toMatchObject({ status: 'rejected', reason: 'unknown-category: jaywalking' });
    const withId = await push('J001', 'incident.report', report(newId(), [], { people: [{ role: 'suspect', idNumber: '441302199001011234' }] }));
    expect(withId).toMatchObject({ status: 'rejected', reason: expect.stringContaining('id-numbers-off') });
  });
});

describe.each(DATABASES)('identity numbers where the unit allows them, on %s', (kind) => {
  let server: TestServer;
  afterAll(() => server.close());

  it('accepts a person with an identity number when INCIDENT_ID_NUMBERS is on', async () => {
    server = await startServer(kind, { allowIdNumbers: true });
    const user = await server.database.db.selectFrom('users').select('id').where('badge', '=', 'J001').executeTakeFirstOrThrow();
    const client = new Client(server.url);
    await client.login('J001');
    const device = await TestDevice.create(user.id);
    await device.register(client);
    const record = await device.next('incident.report', {
      incidentId: newId(),
      category: 'criminal',
      occurredAt: new Date(server.clock.now().getTime() - 60_000).toISOString(),
      location: { source: 'address', lat: null, lon: null, accuracy: null, address: '惠城区江北街道' },
      description: '',
      people: [{ role: 'suspect', idNumber: '441302199001011234' }],
      injured: 0,
      dead: 0,
      photos: [],
      shiftId: null,
    });
    const results = ((await (await client.request('POST', '/api/sync/push', { records: [record] })).json()) as PushResponse).results;
    expect(results[0]?.status).toBe('accepted');
  });
});
