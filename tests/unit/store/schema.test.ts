import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { describe, expect, it } from 'vitest';
import { INCIDENT, openXunfangDB, PHOTO } from '../../../src/store/schema.js';

describe('the device database upgrade', () => {
  it('adds the photo and incident stores to a version 4 database and keeps what it held', async () => {
    const name = 'upgrade-from-4';
    // The stores version 4 had, made as that app made them.
    const old = await openDB(name, 4, {
      upgrade(db) {
        db.createObjectStore('SESSION', { keyPath: 'key' });
        db.createObjectStore('DEVICE', { keyPath: 'officerId' });
        db.createObjectStore('OUTBOX', { keyPath: 'id' }).createIndex('by-state', ['officerId', 'state', 'priority', 'seq']);
        db.createObjectStore('REJECTED', { keyPath: 'id' }).createIndex('by-officer', 'officerId');
        db.createObjectStore('LOCAL', { keyPath: ['officerId', 'entity', 'id'] });
        db.createObjectStore('META', { keyPath: 'key' });
        db.createObjectStore('TRACK', { keyPath: ['shiftId', 'seq'] });
        db.createObjectStore('CHECKIN', { keyPath: ['shiftId', 'seq'] });
      },
    });
    await old.put('META', { key: 'pull-cursor:o1', value: '42' });
    old.close();

    const db = await openXunfangDB(name);
    expect([...db.objectStoreNames]).toEqual(expect.arrayContaining([PHOTO, INCIDENT, 'OUTBOX', 'CHECKIN']));
    expect(await db.get('META', 'pull-cursor:o1')).toEqual({ key: 'pull-cursor:o1', value: '42' });
    expect(await db.countFromIndex(PHOTO, 'by-officer', 'o1')).toBe(0);
    db.close();
  });
});
