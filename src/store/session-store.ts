import * as v from 'valibot';
import type { IDBPDatabase } from 'idb';
import { SessionUserSchema, type SessionUser } from '../domain/protocol/auth.js';
import { SESSION, type SessionEntry, type XunfangDB } from './schema.js';
import { openEntry, sealEntry } from './vault.js';

/** Who is signed in here, readable while the device is locked: their id and their last password sign-in. */
export interface SessionSlot {
  officerId: string;
  signedInAt: string;
}

/** Remembers the signed-in user on this device, sealed under their data key (their id and sign-in time stay clear). */
export async function saveSessionUser(db: IDBPDatabase<XunfangDB>, user: SessionUser, at: Date): Promise<void> {
  const entry: SessionEntry = { key: 'current', officerId: user.id, user, signedInAt: at.toISOString() };
  await db.put(SESSION, await sealEntry(entry, ['key', 'officerId', 'signedInAt']));
}

/** The officer signed in on this device, without opening anything; null when nobody is. */
export async function loadSessionSlot(db: IDBPDatabase<XunfangDB>): Promise<SessionSlot | null> {
  const entry = await db.get(SESSION, 'current');
  if (!entry) return null;
  // An entry from before version 6 has the user in clear and no separate id.
  const officerId = entry.sealed ? entry.officerId : (entry.officerId ?? (entry as Partial<SessionEntry>).user?.id);
  return officerId ? { officerId, signedInAt: entry.signedInAt } : null;
}

/** The remembered user, or null; needs the data key. A stored value that no longer validates is treated as none. */
export async function loadSessionUser(db: IDBPDatabase<XunfangDB>): Promise<SessionUser | null> {
  const entry = await db.get(SESSION, 'current');
  if (!entry) return null;
  const parsed = v.safeParse(SessionUserSchema, (await openEntry<SessionEntry>(entry)).user);
  return parsed.success ? parsed.output : null;
}

/** Forgets the user (sign-out, or the server said the session is gone). */
export async function clearSessionUser(db: IDBPDatabase<XunfangDB>): Promise<void> {
  await db.delete(SESSION, 'current');
}
