import 'fake-indexeddb/auto';
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../../src/domain/ids.js';
import type { PullResponse, PushResponse } from '../../../src/domain/protocol/sync.js';
import type { BodyOf } from '../../../src/domain/records.js';
import { memoryLocks } from '../../../src/store/locks.js';
import { countOutbox } from '../../../src/store/outbox-store.js';
import { countPhotosWaiting, keepPhoto } from '../../../src/store/photo-store.js';
import { appendRecord } from '../../../src/store/record-writer.js';
import { openXunfangDB, PHOTO } from '../../../src/store/schema.js';
import { flushOutbox, TransientError, type SyncTransport } from '../../../src/store/sync-engine.js';
import { deviceNow } from '../device.js';
import { Client, DATABASES, startServer, type TestServer } from '../harness.js';
import { holdDataKey, newDataKey } from '../../../src/store/vault.js';

// Records and local copies are sealed under the officer's data key (issue 16): these tests hold one, as an unlocked page does.
beforeAll(async () => holdDataKey('test', await newDataKey()));

const jpegLike = (size: number) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(size - 4)]);
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe.each(DATABASES)('photos through the outbox against a real server on %s', (kind) => {
  let server: TestServer;
  let client: Client;
  let officerId: string;
  let run = 0;
  beforeAll(async () => {
    server = await startServer(kind);
    client = new Client(server.url);
    await client.login('J001');
    officerId = (await server.database.db.selectFrom('users').select('id').where('badge', '=', 'J001').executeTakeFirstOrThrow()).id;
  });
  afterAll(() => server.close());

  /** The HTTP API, counting uploads; `failPushes` pushes reach the server but their answers are lost. */
  function transport(log: { uploads: string[]; pushes: number }, failPushes = 0): SyncTransport {
    return {
      push: async (records) => {
        log.pushes++;
        const response = (await (await client.request('POST', '/api/sync/push', { records })).json()) as PushResponse;
        if (failPushes-- > 0) throw new TransientError('answer lost');
        return response;
      },
      pull: async (cursor) => (await (await client.request('GET', `/api/sync/pull?cursor=${cursor}`)).json()) as PullResponse,
      register: async (registration) => void (await client.request('POST', '/api/devices', registration)),
      putBlob: async (name, blob) => {
        log.uploads.push(name);
        const body = new Uint8Array(await blob.arrayBuffer());
        const response = await fetch(`${server.url}/api/blobs/${name}`, {
          method: 'PUT',
          headers: { cookie: client.cookie, 'content-type': 'image/jpeg' },
          body,
        });
        if (response.status !== 201) throw new Error(`put answered ${response.status}`);
      },
    };
  }
  const report = (photos: Array<{ sha256: string; size: number }>): BodyOf<'incident.report'> => ({
    incidentId: newId(),
    category: 'fire',
    occurredAt: deviceNow().toISOString(),
    location: { source: 'fix', lat: 23.1, lon: 114.4, accuracy: 9 },
    description: '',
    people: [],
    injured: 0,
    dead: 0,
    photos: photos.map((p) => ({ ...p, type: 'image/jpeg' as const, width: 800, height: 600 })),
    shiftId: null,
  });

  it('sends the photos before the record, each once even when an answer is lost, and forgets them once the record is acknowledged', async () => {
    const db = await openXunfangDB(`photos-${kind}-${++run}`);
    const locks = memoryLocks();
    const photos = [jpegLike(3000), jpegLike(5000)].map((bytes) => ({ bytes, sha256: sha256(bytes), size: bytes.length }));
    for (const p of photos)
      await keepPhoto(db, { officerId, sha256: p.sha256, size: p.size, type: 'image/jpeg', width: 800, height: 600, blob: new Blob([p.bytes]) });
    const body = report(photos.map(({ sha256, size }) => ({ sha256, size })));
    await appendRecord(db, locks, officerId, 'incident.report', body, { now: deviceNow() });
    const log = { uploads: [] as string[], pushes: 0 };
    await expect(flushOutbox({ db, transport: transport(log, 1), withLock: locks }, officerId)).rejects.toBeInstanceOf(TransientError);
    // The record reached the server but its answer did not: the photos stay until it is acknowledged.
    expect(await db.count(PHOTO)).toBe(2);
    const result = await flushOutbox({ db, transport: transport(log), withLock: locks }, officerId);
    expect(result).toMatchObject({ duplicate: 1, rejected: 0 });
    expect(log.uploads.sort()).toEqual(photos.map((p) => p.sha256).sort());
    expect(log.pushes).toBe(2);
    expect(await db.count(PHOTO)).toBe(0);
    expect(await countOutbox(db, officerId)).toEqual({ waiting: 0, rejected: 0 });
    const held = await server.database.db
      .selectFrom('blobs')
      .select(['sha256', 'size'])
      .where(
        'sha256',
        'in',
        photos.map((p) => p.sha256),
      )
      .execute();
    expect(held).toHaveLength(2);
    db.close();
  });

  it('keeps a record the server answers retry pending, and sends it once its photo is there', async () => {
    const db = await openXunfangDB(`photos-${kind}-${++run}`);
    const locks = memoryLocks();
    const bytes = jpegLike(4000);
    // The photo is not on this device (cleared storage, say): the server cannot have it either.
    await appendRecord(db, locks, officerId, 'incident.report', report([{ sha256: sha256(bytes), size: bytes.length }]), { now: deviceNow() });
    const log = { uploads: [] as string[], pushes: 0 };
    await expect(flushOutbox({ db, transport: transport(log), withLock: locks }, officerId)).rejects.toThrow(/wait for their photos/);
    expect(await countOutbox(db, officerId)).toEqual({ waiting: 1, rejected: 0 });
    const put = await fetch(`${server.url}/api/blobs/${sha256(bytes)}`, {
      method: 'PUT',
      headers: { cookie: client.cookie, 'content-type': 'image/jpeg' },
      body: Uint8Array.from(bytes),
    });
    expect(put.status).toBe(201);
    expect(await flushOutbox({ db, transport: transport(log), withLock: locks }, officerId)).toMatchObject({ accepted: 1, retry: 0 });
    expect(await countOutbox(db, officerId)).toEqual({ waiting: 0, rejected: 0 });
    db.close();
  });

  it('sends an update’s photo and its thumbnail before the update, counts them as one photo waiting, and forgets both once it is acknowledged', async () => {
    const db = await openXunfangDB(`photos-${kind}-${++run}`);
    const locks = memoryLocks();
    const incident = report([]);
    await appendRecord(db, locks, officerId, 'incident.report', incident, { now: deviceNow() });
    const photo = jpegLike(6000);
    const thumb = jpegLike(800);
    await keepPhoto(db, {
      officerId,
      sha256: sha256(thumb),
      size: thumb.length,
      type: 'image/jpeg',
      width: 320,
      height: 240,
      blob: new Blob([thumb]),
      thumbOf: sha256(photo),
    });
    await keepPhoto(db, { officerId, sha256: sha256(photo), size: photo.length, type: 'image/jpeg', width: 800, height: 600, blob: new Blob([photo]) });
    expect(await countPhotosWaiting(db, officerId)).toBe(1);
    const ref = {
      sha256: sha256(photo),
      size: photo.length,
      type: 'image/jpeg' as const,
      width: 800,
      height: 600,
      thumb: { sha256: sha256(thumb), size: thumb.length, width: 320, height: 240 },
    };
    await appendRecord(db, locks, officerId, 'incident.update', { incidentId: incident.incidentId, note: '补拍', photos: [ref] }, { now: deviceNow() });
    const log = { uploads: [] as string[], pushes: 0 };
    expect(await flushOutbox({ db, transport: transport(log), withLock: locks }, officerId)).toMatchObject({ accepted: 2, retry: 0 });
    expect(log.uploads).toEqual([sha256(photo), sha256(thumb)]);
    expect(await db.count(PHOTO)).toBe(0);
    expect(await countPhotosWaiting(db, officerId)).toBe(0);
    db.close();
  });
});
