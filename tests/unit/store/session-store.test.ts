import 'fake-indexeddb/auto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SessionUser } from '../../../src/domain/protocol/auth.js';
import { openXunfangDB, SESSION } from '../../../src/store/schema.js';
import { clearSessionUser, loadSessionUser, saveSessionUser } from '../../../src/store/session-store.js';
import { holdDataKey, newDataKey } from '../../../src/store/vault.js';

// Records and local copies are sealed under the officer's data key (issue 16): these tests hold one, as an unlocked page does.
beforeAll(async () => holdDataKey('test', await newDataKey()));

const officer: SessionUser = { id: 'u1', badge: 'J001', name: '陈志强', role: 'officer', unitId: 'unit', squadId: 'sq-a' };
let dbCount = 0;
const freshDb = () => openXunfangDB(`test-${++dbCount}`);

describe('the remembered user', () => {
  it('survives closing and reopening the database', async () => {
    const name = `test-${++dbCount}`;
    const first = await openXunfangDB(name);
    await saveSessionUser(first, officer, new Date('2026-11-29T08:00:00Z'));
    first.close();
    const second = await openXunfangDB(name);
    expect(await loadSessionUser(second)).toEqual(officer);
  });

  it('is gone after sign-out', async () => {
    const db = await freshDb();
    await saveSessionUser(db, officer, new Date());
    await clearSessionUser(db);
    expect(await loadSessionUser(db)).toBeNull();
  });

  it('is ignored when what is stored no longer validates', async () => {
    const db = await freshDb();
    await db.put(SESSION, { key: 'current', officerId: officer.id, user: { ...officer, role: 'root' } as unknown as SessionUser, signedInAt: '' });
    expect(await loadSessionUser(db)).toBeNull();
  });

  it('closes an open connection when a newer version needs the database, instead of blocking it', async () => {
    const name = `test-${++dbCount}`;
    await openXunfangDB(name); // the "old tab", left open
    const { openDB } = await import('idb');
    // Were the old connection not closed on versionchange, this open would stay blocked and time out.
    const newer = await openDB(name, 99);
    expect(newer.version).toBe(99);
    newer.close();
  });
});
