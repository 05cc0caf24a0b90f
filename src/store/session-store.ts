import * as v from 'valibot';
import type { IDBPDatabase } from 'idb';
import { SessionUserSchema, type SessionUser } from '../domain/protocol/auth.js';
import { SESSION, type XunfangDB } from './schema.js';

/** Remembers the signed-in user on this device. */
export async function saveSessionUser(db: IDBPDatabase<XunfangDB>, user: SessionUser, at: Date): Promise<void> {
  await db.put(SESSION, { key: 'current', user, signedInAt: at.toISOString() });
}

/** The remembered user, or null; a stored value that no longer validates is treated as none. */
export async function loadSessionUser(db: IDBPDatabase<XunfangDB>): Promise<SessionUser | null> {
  const entry = await db.get(SESSION, 'current');
  if (!entry) return null;
  const parsed = v.safeParse(SessionUserSchema, entry.user);
  return parsed.success ? parsed.output : null;
}

/** Forgets the user (sign-out, or the server said the session is gone). */
export async function clearSessionUser(db: IDBPDatabase<XunfangDB>): Promise<void> {
  await db.delete(SESSION, 'current');
}
