import 'fake-indexeddb/auto';
import { beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../../src/domain/ids.js';
import { walkChain } from '../../../src/domain/chain.js';
import { checkSealNode, nodePublicKey } from '../../../src/server/sync/seal-verifier.js';
import { ensureDeviceIdentity } from '../../../src/store/device-identity.js';
import { memoryLocks } from '../../../src/store/locks.js';
import { countOutbox, listRejected, listWaiting, resetInFlight, settleBatch, takeBatch } from '../../../src/store/outbox-store.js';
import { appendRecord } from '../../../src/store/record-writer.js';
import { dropUnnamedPhotos, keepPhoto, markUploaded } from '../../../src/store/photo-store.js';
import { readIncidents, readMeta } from '../../../src/store/sealed-reads.js';
import { META, openXunfangDB, PHOTO, type PhotoEntry } from '../../../src/store/schema.js';
import { holdDataKey, newDataKey } from '../../../src/store/vault.js';

// Records and local copies are sealed under the officer's data key (issue 16): these tests hold one, as an unlocked page does.
beforeAll(async () => holdDataKey('test', await newDataKey()));

let n = 0;
const fresh = () => openXunfangDB(`outbox-${++n}`);
const shiftId = newId();
const fix = (i: number) => ({ shiftId, lat: 23.11, lon: 114.41 + i * 1e-5, accuracy: 5, fixAt: new Date(Date.UTC(2026, 10, 29, 8, 0, i)).toISOString() });

describe('writing records', () => {
  it('chains, signs and queues records in seq order, each verifiable with the device key', async () => {
    const db = await fresh();
    const locks = memoryLocks();
    const records = await Promise.all([0, 1, 2, 3, 4].map((i) => appendRecord(db, locks, 'o1', 'position', fix(i))));
    expect(records.map((r) => r.seq).sort()).toEqual([1, 2, 3, 4, 5]);
    const sorted = [...records].sort((a, b) => a.seq - b.seq);
    expect(walkChain(sorted)).toEqual({ gaps: [], brokenLinks: [] });
    const device = await db.get('DEVICE', 'o1');
    // Checked as the server checks them.
    const key = nodePublicKey(device!.publicKeyJwk);
    for (const record of records) expect(await checkSealNode(record, key)).toBe('ok');
    expect(device!.head).toEqual({ seq: 5, hash: sorted[4]!.hash });
    expect(await countOutbox(db, 'o1')).toEqual({ waiting: 5, rejected: 0 });
  });

  it('refuses an invalid body before anything is written', async () => {
    const db = await fresh();
    await expect(appendRecord(db, memoryLocks(), 'o1', 'position', { ...fix(0), lat: 123 })).rejects.toThrow(/lat/);
    expect(await countOutbox(db, 'o1')).toEqual({ waiting: 0, rejected: 0 });
  });

  it('writes local state in the same transaction as the record', async () => {
    const db = await fresh();
    await appendRecord(db, memoryLocks(), 'o1', 'tracking', { shiftId, state: 'on', reason: 'shift-start' }, { meta: [{ key: 'shift:o1', value: 'open' }] });
    expect(await readMeta(db, 'shift:o1')).toBe('open');
    expect((await db.get(META, 'shift:o1'))?.value).toBeUndefined(); // sealed, not in clear
  });

  it('takes the id and time the patrol session gave a record, so a check-in can cite it before it is written', async () => {
    const db = await fresh();
    const id = newId();
    const now = new Date(Date.UTC(2026, 10, 29, 8, 0, 5));
    const written = await appendRecord(db, memoryLocks(), 'o1', 'position', fix(5), { id, now });
    expect(written).toMatchObject({ id, at: now.toISOString() });
    expect((await listWaiting(db, 'o1')).find((e) => e.id === id)?.record.id).toBe(id);
  });

  it('gives a second officer on the same device their own identity and chain', async () => {
    const db = await fresh();
    const a = await ensureDeviceIdentity(db, 'o1');
    const b = await ensureDeviceIdentity(db, 'o2');
    expect(a.deviceId).not.toBe(b.deviceId);
    expect(a.publicKeyJwk.x).not.toBe(b.publicKeyJwk.x);
    expect(a.privateKey.extractable).toBe(false);
    const first = await appendRecord(db, memoryLocks(), 'o2', 'position', fix(0));
    expect(first).toMatchObject({ seq: 1, prev: '', deviceId: b.deviceId, officerId: 'o2' });
  });

  it('keeps an update of an incident someone else reported beside its record, without a report, so it shows before the server has it', async () => {
    const db = await fresh();
    const incidentId = newId();
    const record = await appendRecord(
      db,
      memoryLocks(),
      'o1',
      'incident.update',
      { incidentId, state: 'on-scene', note: '已到场' },
      {
        incidentStep: { incidentId, step: { at: '2026-11-30T01:00:00.000Z', state: 'on-scene', note: '已到场' } },
      },
    );
    // Sealed at rest like every entry (issue 16): read back through the vault.
    expect(await readIncidents(db, 'o1')).toEqual([
      {
        officerId: 'o1',
        incidentId,
        recordId: '',
        reportedAt: '2026-11-30T01:00:00.000Z',
        report: null,
        steps: [{ recordId: record.id, at: '2026-11-30T01:00:00.000Z', state: 'on-scene', note: '已到场' }],
      },
    ]);
  });
});

describe('photos of a cancelled form', () => {
  it('leave the device unless a record in the outbox names them or the server has them', async () => {
    const db = await fresh();
    const entry = (n: string, extra: Partial<PhotoEntry> = {}) => ({
      officerId: 'o1',
      sha256: n.repeat(64),
      size: 10,
      type: 'image/jpeg' as const,
      width: 320,
      height: 240,
      blob: new Blob([n]),
      ...extra,
    });
    for (const photo of [entry('a'), entry('b'), entry('c', { thumbOf: 'b'.repeat(64) }), entry('d')]) await keepPhoto(db, photo);
    await markUploaded(db, ['d'.repeat(64)], true);
    const { blob: _blob, officerId: _officer, ...named } = entry('a');
    await appendRecord(db, memoryLocks(), 'o1', 'incident.update', { incidentId: newId(), note: '照片', photos: [{ ...named, width: 2048, height: 1536 }] });
    expect(
      await dropUnnamedPhotos(
        db,
        'o1',
        ['a', 'b', 'c', 'd'].map((n) => n.repeat(64)),
      ),
    ).toBe(2);
    expect((await db.getAllKeys(PHOTO)).sort()).toEqual(['a'.repeat(64), 'd'.repeat(64)]);
  });
});

describe('taking batches', () => {
  it('sends SOS first and alone, then the rest in seq order', async () => {
    const db = await fresh();
    const locks = memoryLocks();
    for (let i = 0; i < 3; i++) await appendRecord(db, locks, 'o1', 'position', fix(i));
    const { lat, lon, accuracy, fixAt } = fix(3);
    const sos = await appendRecord(db, locks, 'o1', 'sos', { alertId: shiftId, shiftId, state: 'raised', fix: { lat, lon, accuracy, fixAt } }, { priority: 0 });
    // The SOS's fixes after it jump the queue too, each alone.
    const sosFix = await appendRecord(db, locks, 'o1', 'position', fix(4), { priority: 0 });
    const first = await takeBatch(db, 'o1', 1000, 2 ** 21);
    expect(first.map((e) => e.id)).toEqual([sos.id]);
    expect((await takeBatch(db, 'o1', 1000, 2 ** 21)).map((e) => e.id)).toEqual([sosFix.id]);
    const second = await takeBatch(db, 'o1', 1000, 2 ** 21);
    expect(second.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(second.every((e) => e.state === 'in-flight')).toBe(true);
  });

  it('respects the record and byte limits of a batch', async () => {
    const db = await fresh();
    const locks = memoryLocks();
    for (let i = 0; i < 5; i++) await appendRecord(db, locks, 'o1', 'position', fix(i));
    expect(await takeBatch(db, 'o1', 2, 2 ** 21)).toHaveLength(2);
    expect(await takeBatch(db, 'o1', 1000, 3000)).toHaveLength(1);
  });

  it("puts a dead flusher's in-flight entries back to pending", async () => {
    const db = await fresh();
    const locks = memoryLocks();
    for (let i = 0; i < 3; i++) await appendRecord(db, locks, 'o1', 'position', fix(i));
    await takeBatch(db, 'o1', 1000, 2 ** 21);
    expect(await takeBatch(db, 'o1', 1000, 2 ** 21)).toHaveLength(0);
    expect(await resetInFlight(db, 'o1')).toBe(3);
    expect(await takeBatch(db, 'o1', 1000, 2 ** 21)).toHaveLength(3);
  });

  it('deletes acknowledged entries, parks rejected ones with their reason and keeps unanswered ones', async () => {
    const db = await fresh();
    const locks = memoryLocks();
    for (let i = 0; i < 4; i++) await appendRecord(db, locks, 'o1', 'position', fix(i));
    const batch = await takeBatch(db, 'o1', 1000, 2 ** 21);
    const [a, b, c] = batch;
    const outcome = await settleBatch(
      db,
      batch,
      [
        { id: a!.id, status: 'accepted' },
        { id: b!.id, status: 'duplicate' },
        { id: c!.id, status: 'rejected', reason: 'bad-signature' },
      ],
      new Date('2026-11-29T09:00:00.000Z'),
    );
    expect(outcome).toEqual({ accepted: 1, duplicate: 1, rejected: 1, unanswered: 1, retry: 0 });
    expect(await countOutbox(db, 'o1')).toEqual({ waiting: 1, rejected: 1 });
    const rejected = await listRejected(db, 'o1');
    expect(rejected[0]).toMatchObject({ id: c!.id, reason: 'bad-signature', rejectedAt: '2026-11-29T09:00:00.000Z' });
    expect((await takeBatch(db, 'o1', 1000, 2 ** 21)).map((e) => e.seq)).toEqual([4]);
  });
});
