import { signal } from '@preact/signals';
import type { IDBPDatabase } from 'idb';
import * as v from 'valibot';
import type { SessionUser } from '../../domain/protocol/auth.js';
import { DEFAULT_LOCK_POLICY, LockPolicySchema, type LockPolicy, type LockPolicyResponse, type SecretKind } from '../../domain/protocol/device-lock.js';
import { api, OfflineError } from '../../store/api.js';
import { keyringState, setSecret, unlockWithRecovery, unlockWithSecret, type KeyringState } from '../../store/keyring.js';
import { fetchRecoveryKey, reportPinFailures } from '../../store/recovery.js';
import { META, type XunfangDB } from '../../store/schema.js';
import { sealLegacy } from '../../store/seal-legacy.js';
import { loadSessionUser, saveSessionUser } from '../../store/session-store.js';
import { dataKeyHolder, holdDataKey, forgetDataKey } from '../../store/vault.js';
import { reportError } from './notices.js';

// The lock (issue 16). `open`: the app as usual. `locked`: the screen is hidden behind the PIN
// entry and SOS, but the data key stays in memory, so tracking, the outbox and SOS go on.
// `sealed`: the page holds no key (a restart, or 5 wrong PINs): nothing can be read or written
// until the PIN or a password sign-in opens it. `set-pin`: after a password sign-in, the officer
// chooses the PIN that will open this device offline. `resign`: the unit's hours since the last
// password sign-in are up and the server is reachable: the password again (the key stays held).

export type LockView =
  | { kind: 'open' }
  | { kind: 'locked' }
  | { kind: 'sealed'; officerId: string; state: KeyringState; secret: SecretKind; failures: number }
  | { kind: 'set-pin'; user: SessionUser; recovery: string; opened: CryptoKey | null; secret: SecretKind; replacing: SecretKind | null }
  | { kind: 'resign'; badge: string };

/** What the screen shows instead of (or over) the app. */
export const lockView = signal<LockView>({ kind: 'open' });
/** The unit's lock policy as last heard from the server. */
export const lockPolicy = signal<LockPolicy>(DEFAULT_LOCK_POLICY);
/**
 * What opens this device now: the kind the officer last set here. It differs from the policy's
 * between a unit's switch and the officer's next password sign-in, which sets the new kind; until
 * then the lock asks for (and says) what actually works.
 */
export const deviceSecret = signal<SecretKind>(DEFAULT_LOCK_POLICY.secret);

const POLICY_KEY = 'lock-policy';

/** The unit's policy from the server when reachable (and kept, in clear: it is no officer's data), else the kept one. */
export async function loadLockPolicy(db: IDBPDatabase<XunfangDB>): Promise<LockPolicy> {
  try {
    const { policy } = await api<LockPolicyResponse>('/api/lock-policy');
    await db.put(META, { key: POLICY_KEY, value: JSON.stringify(policy) });
    lockPolicy.value = policy;
  } catch (error) {
    if (!(error instanceof OfflineError)) throw error;
    const kept = (await db.get(META, POLICY_KEY))?.value;
    const parsed = kept ? v.safeParse(LockPolicySchema, JSON.parse(kept)) : null;
    if (parsed?.success) lockPolicy.value = parsed.output;
  }
  return lockPolicy.value;
}

/** Shows the lock over the running app (the lock button, or idle); the key stays in memory. */
export function lockNow(): void {
  if (lockView.peek().kind === 'open' && dataKeyHolder()) lockView.value = { kind: 'locked' };
}

/** After a restart: nothing opens until the PIN or the password. */
export async function showSealed(db: IDBPDatabase<XunfangDB>, officerId: string): Promise<void> {
  const ring = await keyringState(db, officerId);
  lockView.value = { kind: 'sealed', officerId, ...ring };
}

/**
 * Opens the device for this officer with their data key: seals what an older version left in
 * clear, remembers the user (when a password sign-in just named them) and shows the app.
 */
async function openWith(db: IDBPDatabase<XunfangDB>, officerId: string, key: CryptoKey, signedIn: SessionUser | null): Promise<SessionUser | null> {
  holdDataKey(officerId, key);
  deviceSecret.value = (await keyringState(db, officerId)).secret;
  await sealLegacy(db, officerId);
  if (signedIn) await saveSessionUser(db, signedIn, new Date());
  const user = signedIn ?? (await loadSessionUser(db));
  lockView.value = { kind: 'open' };
  void reportPinFailures(db, officerId).catch(ignoreOffline);
  return user;
}

/** Wrong PINs wait on the device for the server; only a failure other than "offline" or "signed out" is shown. */
function ignoreOffline(error: unknown): void {
  if (error instanceof OfflineError || (error instanceof Error && 'status' in error && error.status === 401)) return;
  reportError(error);
}

export type PinResult = { kind: 'opened'; user: SessionUser | null } | { kind: 'wrong'; left: number } | { kind: 'wiped' };

/**
 * Tries the PIN on the lock screen. Locked with the key held, a right PIN only uncovers the app;
 * sealed, it opens the data key. The fifth wrong one deletes the PIN's copy of the key and drops
 * the one in memory: from then on only a password sign-in opens this device.
 */
export async function enterPin(db: IDBPDatabase<XunfangDB>, officerId: string, pin: string): Promise<PinResult> {
  const outcome = await unlockWithSecret(db, officerId, pin);
  if (outcome.kind !== 'opened') {
    void reportPinFailures(db, officerId).catch(ignoreOffline);
    if (outcome.kind === 'wiped') {
      forgetDataKey();
      await showSealed(db, officerId);
    }
    return outcome;
  }
  // Behind the lock, or behind a password sign-in that waits for the network: the app runs on.
  const covered = lockView.peek().kind;
  if ((covered === 'locked' || covered === 'resign') && dataKeyHolder() === officerId) {
    lockView.value = { kind: 'open' };
    void reportPinFailures(db, officerId).catch(ignoreOffline);
    return { kind: 'opened', user: null };
  }
  return { kind: 'opened', user: await openWith(db, officerId, outcome.key, null) };
}

/**
 * After a password sign-in: the server releases this device's recovery key, which opens the data
 * key kept here (a device whose PIN was wiped, or a restart where the PIN was forgotten). A first
 * sign-in here, or a PIN to choose again, goes to the PIN screen; else the app opens at once.
 * A unit that switched between PIN and passphrase since the last one: the new kind is chosen now
 * (the old one opened the device until this sign-in, so nobody was locked out offline).
 */
export async function openWithPassword(db: IDBPDatabase<XunfangDB>, user: SessionUser): Promise<SessionUser | null> {
  const [policy, recovery] = await Promise.all([loadLockPolicy(db), fetchRecoveryKey(db, user.id)]);
  const ring = await keyringState(db, user.id);
  const opened = ring.state === 'none' ? null : await unlockWithRecovery(db, user.id, recovery);
  if (opened && ring.state === 'pin' && ring.secret === policy.secret) return openWith(db, user.id, opened, user);
  const replacing = ring.state !== 'none' && ring.secret !== policy.secret ? ring.secret : null;
  lockView.value = { kind: 'set-pin', user, recovery, opened, secret: policy.secret, replacing };
  return null;
}

/** The officer chose their PIN: the data key is wrapped by it and by the recovery key, and the app opens. */
export async function choosePin(db: IDBPDatabase<XunfangDB>, view: Extract<LockView, { kind: 'set-pin' }>, pin: string): Promise<SessionUser | null> {
  const key = await setSecret(db, view.user.id, pin, view.secret, view.recovery, view.opened ?? undefined);
  return openWith(db, view.user.id, key, view.user);
}

/**
 * The password is due again (the unit's hours are up, or the server ended the session): asked for
 * over the open or locked app, whose key stays held; never over a sealed device or a PIN being chosen.
 */
export function askPasswordAgain(badge: string): void {
  const kind = lockView.peek().kind;
  if (kind === 'open' || kind === 'locked') lockView.value = { kind: 'resign', badge };
}

/** True when the unit's hours since the last password sign-in are up. */
export function resignDue(signedInAt: string, now = Date.now()): boolean {
  return now - Date.parse(signedInAt) > lockPolicy.peek().resignHours * 3600_000;
}
