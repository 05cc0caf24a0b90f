import { signal } from '@preact/signals';
import type { IDBPDatabase } from 'idb';
import type { LoginResponse, SessionUser } from '../../domain/protocol/auth.js';
import type { XunfangDB } from '../../store/schema.js';
import { clearSessionUser, loadSessionUser, saveSessionUser } from '../../store/session-store.js';
import { api, ApiError, OfflineError } from '../../store/api.js';
import { reachable } from './network.js';
import { notify } from './notices.js';
import { t } from '../i18n/index.js';

/** The signed-in user; IndexedDB is the truth, this is its projection. */
export const currentUser = signal<SessionUser | null>(null);
/** False until the saved user has been read from IndexedDB. */
export const sessionLoaded = signal(false);

/** Restores the user saved on this device, then checks with the server when it can be reached. */
export async function restoreSession(db: IDBPDatabase<XunfangDB>): Promise<void> {
  const saved = await loadSessionUser(db);
  currentUser.value = saved;
  sessionLoaded.value = true;
  try {
    const { user } = await api<LoginResponse>('/api/auth/session');
    reachable(true);
    if (!saved) {
      // Signed out on this device while offline: the server session outlived it, so end it now.
      await api('/api/auth/logout', { method: 'POST' });
      return;
    }
    currentUser.value = user;
    await saveSessionUser(db, user, new Date());
  } catch (error) {
    if (error instanceof OfflineError) {
      reachable(false);
      return; // keep working with the saved user
    }
    if (error instanceof ApiError && error.status === 401) {
      reachable(true);
      if (currentUser.value) notify('info', t('auth.sessionExpired'));
      currentUser.value = null;
      await clearSessionUser(db);
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

/** Signs in and remembers the user on this device. */
export async function signIn(db: IDBPDatabase<XunfangDB>, badge: string, password: string): Promise<SessionUser> {
  const { user } = await api<LoginResponse>('/api/auth/login', { method: 'POST', body: { badge, password } });
  if (user.mustChangePassword) oneTimePassword = password;
  await saveSessionUser(db, user, new Date());
  currentUser.value = user;
  return user;
}

/** Signs out on the server (when reachable) and forgets the user here either way. */
export async function signOut(db: IDBPDatabase<XunfangDB>): Promise<void> {
  try {
    await api('/api/auth/logout', { method: 'POST' });
  } finally {
    await clearSessionUser(db);
    currentUser.value = null;
  }
}
