import type { IDBPDatabase } from 'idb';
import { CHECKIN, INCIDENT, LOCAL, META, TRACK, type CheckinEntry, type IncidentEntry, type LocalEntry, type TrackEntry, type XunfangDB } from './schema.js';
import { openEntry, seal, unseal } from './vault.js';

// Readers of the sealed local state (issue 16): each opens what its store keeps under the data
// key, in one place, so no screen reads a sealed entry as if it were clear.

/** Opens entries; one this key cannot open (left by another officer before sealing existed) is skipped, not shown wrong. */
async function openAll<T extends object>(what: string, stored: ReadonlyArray<Parameters<typeof openEntry<T>>[0]>): Promise<T[]> {
  const opened = await Promise.all(
    stored.map((entry) =>
      openEntry<T>(entry).catch((error: unknown) => {
        console.warn(`a ${what} entry does not open with this officer's key; skipped`, error);
        return null;
      }),
    ),
  );
  return opened.filter((entry): entry is Awaited<T> => entry !== null);
}

/** A shift's route on this device, in seq order. */
export async function readTrack(db: IDBPDatabase<XunfangDB>, shiftId: string): Promise<TrackEntry[]> {
  return openAll<TrackEntry>('route', await db.getAll(TRACK, IDBKeyRange.bound([shiftId, 0], [shiftId, Infinity])));
}

/** A shift's check-ins on this device, in seq order. */
export async function readCheckins(db: IDBPDatabase<XunfangDB>, shiftId: string): Promise<CheckinEntry[]> {
  return openAll<CheckinEntry>('check-in', await db.getAll(CHECKIN, IDBKeyRange.bound([shiftId, 0], [shiftId, Infinity])));
}

/** The incidents this officer reported from this device. */
export async function readIncidents(db: IDBPDatabase<XunfangDB>, officerId: string): Promise<IncidentEntry[]> {
  return openAll<IncidentEntry>('incident', await db.getAll(INCIDENT, IDBKeyRange.bound([officerId], [officerId, []])));
}

/** This officer's local copies of one kind of server data. */
export async function readLocal(db: IDBPDatabase<XunfangDB>, officerId: string, entity: LocalEntry['entity']): Promise<LocalEntry[]> {
  return openAll<LocalEntry>('local copy', await db.getAll(LOCAL, IDBKeyRange.bound([officerId, entity, ''], [officerId, entity, '\uffff'])));
}

/** A META value, opened when sealed; null when absent. */
export async function readMeta(db: IDBPDatabase<XunfangDB>, key: string): Promise<string | null> {
  const entry = await db.get(META, key);
  if (!entry) return null;
  return entry.sealed ? unseal<string>(entry.sealed) : (entry.value ?? null);
}

/** Writes an officer's META value sealed. */
export async function writeSealedMeta(db: IDBPDatabase<XunfangDB>, key: string, value: string): Promise<void> {
  await db.put(META, { key, sealed: await seal(value) });
}
