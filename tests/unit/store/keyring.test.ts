import 'fake-indexeddb/auto';
import { randomBytes } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../../../src/domain/ids.js';
import type { SessionUser } from '../../../src/domain/protocol/auth.js';
import { sealRecord, generateDeviceKeys } from '../../../src/domain/record-crypto.js';
import type { SignedRecord, UnsignedRecord } from '../../../src/domain/records.js';
import { keyringState, setSecret, unlockWithRecovery, unlockWithSecret, unreportedFailures } from '../../../src/store/keyring.js';
import { countOutbox, takeBatch } from '../../../src/store/outbox-store.js';
import { LOCAL, META, OUTBOX, SESSION, TRACK, openXunfangDB } from '../../../src/store/schema.js';
import { sealLegacy } from '../../../src/store/seal-legacy.js';
import { readLocal, readMeta, readTrack } from '../../../src/store/sealed-reads.js';
import { loadSessionSlot, loadSessionUser } from '../../../src/store/session-store.js';
import { forgetDataKey, holdDataKey, seal, unseal, LockedError } from '../../../src/store/vault.js';

let n = 0;
const fresh = () => openXunfangDB(`keyring-${++n}`);
const recovery = randomBytes(32).toString('base64url');

beforeEach(() => forgetDataKey());

describe('the data key, wrapped by the PIN and by the recovery key', () => {
  it('opens with the right PIN, counts wrong ones, and after the fifth only the recovery key opens it', async () => {
    const db = await fresh();
    const key = await setSecret(db, 'o1', '246810', 'pin', recovery);
    holdDataKey('o1', key);
    const sealed = await seal({ badge: 'J001' });
    forgetDataKey();
    await expect(unseal(sealed)).rejects.toBeInstanceOf(LockedError);

    const opened = await unlockWithSecret(db, 'o1', '246810');
    expect(opened.kind).toBe('opened');
    if (opened.kind === 'opened') holdDataKey('o1', opened.key);
    expect(await unseal(sealed)).toEqual({ badge: 'J001' });
    forgetDataKey();

    for (const left of [4, 3, 2, 1]) expect(await unlockWithSecret(db, 'o1', '000000')).toEqual({ kind: 'wrong', left });
    expect(await keyringState(db, 'o1')).toMatchObject({ state: 'pin', failures: 4 });
    expect(await unlockWithSecret(db, 'o1', '000000')).toEqual({ kind: 'wiped' });
    // Gone for good: even the right PIN no longer opens it.
    expect(await unlockWithSecret(db, 'o1', '246810')).toEqual({ kind: 'wiped' });
    expect(await keyringState(db, 'o1')).toMatchObject({ state: 'password-only' });
    expect((await unreportedFailures(db, 'o1')).map((f) => f.count)).toEqual([1, 2, 3, 4, 5]);

    const recovered = await unlockWithRecovery(db, 'o1', recovery);
    expect(recovered).not.toBeNull();
    holdDataKey('o1', recovered!);
    expect(await unseal(sealed)).toEqual({ badge: 'J001' });
    // A new PIN wraps the same key: what was sealed before still opens with it.
    const again = await setSecret(db, 'o1', '135792', 'pin', recovery, recovered!);
    forgetDataKey();
    const reopened = await unlockWithSecret(db, 'o1', '135792');
    if (reopened.kind !== 'opened') throw new Error('the new PIN did not open');
    holdDataKey('o1', reopened.key);
    expect(await unseal(sealed)).toEqual({ badge: 'J001' });
    expect(again).toBe(recovered);
  }, 30_000);

  it('does not open with another recovery key', async () => {
    const db = await fresh();
    await setSecret(db, 'o1', '246810', 'pin', recovery);
    await expect(unlockWithRecovery(db, 'o1', randomBytes(32).toString('base64url'))).rejects.toThrow();
  });
});

describe('an update with records waiting in clear', () => {
  const user: SessionUser = { id: 'o1', badge: 'J001', name: '陈志强', role: 'officer', unitId: 'u', squadId: 's' };
  async function legacyRecord(seq: number, prev: string, privateKey: CryptoKey): Promise<SignedRecord> {
    const unsigned = {
      id: newId(),
      kind: 'position',
      deviceId: newId(),
      officerId: 'o1',
      seq,
      at: '2026-11-29T08:00:00.000Z',
      body: { shiftId: 'shift-1', lat: 23.112345, lon: 114.412345, accuracy: 5, fixAt: '2026-11-29T08:00:00.000Z' },
      prev,
    } as UnsignedRecord;
    return sealRecord(unsigned, privateKey);
  }

  it('seals them at the first unlock and loses none', async () => {
    const db = await fresh();
    const { privateKey } = await generateDeviceKeys();
    const first = await legacyRecord(1, '', privateKey);
    const second = await legacyRecord(2, first.hash, privateKey);
    // As version 5 wrote them: everything in clear.
    for (const record of [first, second])
      await db.put(OUTBOX, { id: record.id, officerId: 'o1', priority: 1, seq: record.seq, state: 'pending', record, queuedAt: record.at, attempts: 0 });
    await db.put(LOCAL, { officerId: 'o1', entity: 'zone', id: 'z1', data: { name: '江北' } });
    await db.put(TRACK, { shiftId: 'shift-1', seq: 1, kind: 'fix', lat: 23.112345, lon: 114.412345, accuracy: 5, fixAt: first.at });
    await db.put(META, { key: 'shift:o1', value: '{"shiftId":"shift-1"}' });
    await db.put(SESSION, { key: 'current', user, signedInAt: '2026-11-29T07:00:00.000Z' } as never);
    // Before any key: who is signed in is known, and the waiting count, not what they did.
    expect(await loadSessionSlot(db)).toEqual({ officerId: 'o1', signedInAt: '2026-11-29T07:00:00.000Z' });

    holdDataKey('o1', await setSecret(db, 'o1', '246810', 'pin', recovery));
    expect(await sealLegacy(db, 'o1')).toBe(5);
    const raw = JSON.stringify(await Promise.all([db.getAll(OUTBOX), db.getAll(LOCAL), db.getAll(TRACK), db.getAll(META), db.getAll(SESSION)]));
    for (const plaintext of ['J001', '23.112345', '江北', 'shift-1"}']) expect(raw).not.toContain(plaintext);

    expect(await countOutbox(db, 'o1')).toEqual({ waiting: 2, rejected: 0 });
    expect((await takeBatch(db, 'o1', 10, 1 << 20)).map((e) => e.record)).toEqual([first, second]);
    expect((await readLocal(db, 'o1', 'zone'))[0]?.data).toEqual({ name: '江北' });
    expect((await readTrack(db, 'shift-1'))[0]?.lat).toBe(23.112345);
    expect(await readMeta(db, 'shift:o1')).toBe('{"shiftId":"shift-1"}');
    expect(await loadSessionUser(db)).toEqual(user);
    expect(await sealLegacy(db, 'o1')).toBe(0);
  }, 30_000);
});
