import type { IDBPDatabase } from 'idb';
import { PIN_ATTEMPTS, PIN_ITERATIONS, type SecretKind } from '../domain/protocol/device-lock.js';
import { KEYRING, type KeyringEntry, type XunfangDB } from './schema.js';
import { newDataKey, recoveryKey, secretKey, unwrapDataKey, wrapDataKey } from './vault.js';

// The officer's data key on this device, stored only wrapped (issue 16): once by their PIN's key
// (the offline unlock), once by the device's recovery key, which the server releases only to a
// password sign-in of the same officer on this device. Unwrapping happens here; holding the key
// is the caller's (vault.ts).

const STRICT = { durability: 'strict' } as const;

/** What opens this officer's data on this device now. */
export type KeyringState = 'none' | 'pin' | 'password-only';

/** Whether a PIN was set here, and whether it still opens the device (not after 5 wrong ones). */
export async function keyringState(db: IDBPDatabase<XunfangDB>, officerId: string): Promise<{ state: KeyringState; secret: SecretKind; failures: number }> {
  const entry = await db.get(KEYRING, officerId);
  if (!entry) return { state: 'none', secret: 'pin', failures: 0 };
  return { state: entry.pinWrapped ? 'pin' : 'password-only', secret: entry.secret, failures: entry.failures };
}

/**
 * Sets the PIN: wraps a data key (a fresh one, or the one a password sign-in just opened) by the
 * PIN's key and by the recovery key, and stores both. Returns the data key, to hold.
 */
export async function setSecret(
  db: IDBPDatabase<XunfangDB>,
  officerId: string,
  secret: string,
  kind: SecretKind,
  recovery: string,
  opened?: CryptoKey,
  now = new Date(),
): Promise<CryptoKey> {
  const dataKey = opened ?? (await newDataKey());
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const [pinWrapped, recoveryWrapped] = await Promise.all([
    secretKey(secret, salt, PIN_ITERATIONS).then((key) => wrapDataKey(dataKey, key)),
    recoveryKey(recovery).then((key) => wrapDataKey(dataKey, key)),
  ]);
  const previous = await db.get(KEYRING, officerId);
  const entry: KeyringEntry = {
    officerId,
    secret: kind,
    salt,
    iterations: PIN_ITERATIONS,
    pinWrapped,
    recoveryWrapped,
    failures: 0,
    unreported: previous?.unreported ?? [],
    createdAt: now.toISOString(),
  };
  await db.put(KEYRING, entry);
  return dataKey;
}

export type PinOutcome = { kind: 'opened'; key: CryptoKey } | { kind: 'wrong'; left: number } | { kind: 'wiped' };

/**
 * Tries a PIN. A wrong one counts; the fifth in a row deletes the PIN-wrapped key, so only a
 * password sign-in opens the device again. Each failure is kept to be told to the server.
 */
export async function unlockWithSecret(db: IDBPDatabase<XunfangDB>, officerId: string, secret: string, now = new Date()): Promise<PinOutcome> {
  const entry = await db.get(KEYRING, officerId);
  if (!entry?.pinWrapped) return { kind: 'wiped' };
  try {
    const key = await unwrapDataKey(entry.pinWrapped, await secretKey(secret, entry.salt, entry.iterations));
    if (entry.failures > 0) await db.put(KEYRING, { ...entry, failures: 0 });
    return { kind: 'opened', key };
  } catch (error) {
    // AES-GCM refuses to unwrap under a wrong key with an OperationError; anything else is a real fault.
    if (!(error instanceof DOMException && error.name === 'OperationError')) throw error;
  }
  const tx = db.transaction(KEYRING, 'readwrite', STRICT);
  const current = (await tx.store.get(officerId)) ?? entry;
  const failures = current.failures + 1;
  const wiped = failures >= PIN_ATTEMPTS;
  await tx.store.put({
    ...current,
    failures,
    pinWrapped: wiped ? null : current.pinWrapped,
    unreported: [...current.unreported, { at: now.toISOString(), count: failures }].slice(-50),
  });
  await tx.done;
  return wiped ? { kind: 'wiped' } : { kind: 'wrong', left: PIN_ATTEMPTS - failures };
}

/** Opens the data key with the recovery key the server released (extractable, so a new PIN can wrap it). */
export async function unlockWithRecovery(db: IDBPDatabase<XunfangDB>, officerId: string, recovery: string): Promise<CryptoKey | null> {
  const entry = await db.get(KEYRING, officerId);
  if (!entry) return null;
  return unwrapDataKey(entry.recoveryWrapped, await recoveryKey(recovery), true);
}

/** Wrong PINs not yet in the server's audit log. */
export async function unreportedFailures(db: IDBPDatabase<XunfangDB>, officerId: string): Promise<KeyringEntry['unreported']> {
  return (await db.get(KEYRING, officerId))?.unreported ?? [];
}

/** Forgets the failures the server has logged (those up to `upto`, by time). */
export async function failuresReported(db: IDBPDatabase<XunfangDB>, officerId: string, upto: string): Promise<void> {
  const tx = db.transaction(KEYRING, 'readwrite', STRICT);
  const entry = await tx.store.get(officerId);
  if (entry) await tx.store.put({ ...entry, unreported: entry.unreported.filter((f) => f.at > upto) });
  await tx.done;
}
