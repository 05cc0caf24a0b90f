import { computed, signal } from '@preact/signals';
import type { IDBPDatabase } from 'idb';
import type { LoginResponse, SessionUser } from '../../domain/protocol/auth.js';
import type { XunfangDB } from '../../store/schema.js';
import { clearSessionUser, loadSessionSlot, saveSessionUser } from '../../store/session-store.js';
import { api, ApiError, OfflineError } from '../../store/api.js';
import { signInDeviceId } from '../../store/device-identity.js';
import { dataKeyHolder, forgetDataKey } from '../../store/vault.js';
import { askPasswordAgain, lockView, openWithPassword, resignDue, showSealed } from './device-lock.js';
import { reachable } from './network.js';
import { notify } from './notices.js';
import { t } from '../i18n/index.js';

/** The signed-in user; IndexedDB is the truth, this is its projection. */
export const currentUser = signal<SessionUser | null>(null);
/**
 * The signed-in user once they may use the app: null while a one-time password waits to be
 * replaced, when the server answers nothing but the change (controllers wait for this one).
 */
export const activeUser = computed(() => (currentUser.value?.mustChangePassword ? null : currentUser.value));
/** False until the saved user has been read from IndexedDB. */
export const sessionLoaded = signal(false);

/**
 * On start: the user saved on this device is sealed under their data key, which no page holds
 * after a restart, so the lock screen comes first (issue 16). Nobody saved: the login.
 */
export async function restoreSession(db: IDBPDatabase<XunfangDB>): Promise<void> {
  const slot = await loadSessionSlot(db);
  if (slot && dataKeyHolder() !== slot.officerId) await showSealed(db, slot.officerId);
  sessionLoaded.value = true;
  if (!slot) await endStrayServerSession();
  // Locked, nothing else asks the server yet: the header's network state comes from this answer.
  else
    await api('/api/health').then(
      () => reachable(true),
      () => reachable(false),
    );
}

/** Signed out on this device while offline: the server session outlived it, so end it now. */
async function endStrayServerSession(): Promise<void> {
  try {
    await api<LoginResponse>('/api/auth/session');
    reachable(true);
    await api('/api/auth/logout', { method: 'POST' });
  } catch (error) {
    if (error instanceof OfflineError) reachable(false);
    else if (!(error instanceof ApiError && error.status === 401)) throw error;
  }
}

/** The device is open for this user (PIN or password): shows their home, then checks with the server when it can be reached. */
export async function resumeSession(db: IDBPDatabase<XunfangDB>, user: SessionUser | null): Promise<void> {
  currentUser.value = user;
  if (!user) return;
  try {
    const { user: fresh } = await api<LoginResponse>('/api/auth/session');
    reachable(true);
    currentUser.value = fresh;
    const slot = await loadSessionSlot(db);
    await saveSessionUser(db, fresh, new Date(slot?.signedInAt ?? Date.now()));
    if (slot && resignDue(slot.signedInAt)) askPasswordAgain(fresh.badge);
  } catch (error) {
    if (error instanceof OfflineError) {
      reachable(false);
      return; // keep working with the saved user
    }
    if (error instanceof ApiError && error.status === 401) {
      // The server session ended (12 h, or signed out elsewhere): the password again. The data
      // key stays held meanwhile, so the patrol and the outbox go on under the sign-in form.
      reachable(true);
      notify('info', t('auth.sessionExpired'));
      askPasswordAgain(user.badge);
      return;
    }
    throw error;
  }
}

/** A one-time password just typed, held in memory only until the forced change takes it. */
let oneTimePassword = '';

/** The one-time password the user signed in with, once; empty after. */
export function takeOneTimePassword(): string {
  const taken = oneTimePassword;
  oneTimePassword = '';
  return taken;
}

/**
 * Signs in with the password; the device opens (or asks for a PIN first) once the server released
 * its recovery key. After a one-time password the server answers nothing but the change, the
 * recovery key included: the device opens when the new password is chosen (PasswordChange).
 */
export async function signIn(db: IDBPDatabase<XunfangDB>, badge: string, password: string): Promise<SessionUser | null> {
  // Named for the audit log's device column; the server keeps it only when it is this officer's.
  const deviceId = await signInDeviceId(db, (await loadSessionSlot(db))?.officerId);
  const { user } = await api<LoginResponse>('/api/auth/login', { method: 'POST', body: { badge, password, ...(deviceId ? { deviceId } : {}) } });
  reachable(true);
  if (user.mustChangePassword) {
    oneTimePassword = password;
    currentUser.value = user;
    return user;
  }
  const opened = await openWithPassword(db, user);
  if (opened) currentUser.value = opened;
  return opened;
}

/**
 * Signs out on the server (when reachable) and forgets the user and the data key here either way.
 * What waits in the outbox stays on the device, sealed, and is sent after this officer's next
 * sign-in here (the password opens it again).
 */
export async function signOut(db: IDBPDatabase<XunfangDB>): Promise<void> {
  try {
    await api('/api/auth/logout', { method: 'POST' });
  } finally {
    await clearSessionUser(db);
    forgetDataKey();
    lockView.value = { kind: 'open' };
    currentUser.value = null;
  }
}
