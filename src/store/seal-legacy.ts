import type { IDBPDatabase } from 'idb';
import { OUTBOX_CLEAR, REJECTED_CLEAR, batchBytes } from './outbox-store.js';
import { blobsOf } from './photo-store.js';
import { INCIDENT_CLEAR } from './record-writer.js';
import { CHECKIN, INCIDENT, LOCAL, META, OUTBOX, PHOTO, REJECTED, SESSION, TRACK, type SessionEntry, type XunfangDB } from './schema.js';
import { saveSessionUser } from './session-store.js';
import { LOCAL_CLEAR } from './sync-engine.js';
import { seal, sealBlob, sealEntry } from './vault.js';

// An app before version 6 of the database kept everything in clear. The first time an officer
// opens their data key after the update, what is theirs is sealed under it; a record waiting in
// the outbox is sealed, never dropped. Routes and check-ins are keyed by shift, not officer: on a
// shared handheld, the first officer to unlock seals them all (they only draw the route on screen;
// the records behind them are each officer's own and stay theirs).

/** META keys that hold an officer's data (the rest, cursors and config, stay clear). */
const OFFICER_META = ['shift:', 'shift-summary:', 'sos:', 'tasks-seen:'];

/** Seals this officer's clear entries; returns how many it sealed. Call with their data key held, before anything else reads. */
export async function sealLegacy(db: IDBPDatabase<XunfangDB>, officerId: string): Promise<number> {
  const mine = <T extends { officerId: string; sealed?: unknown }>(entries: T[]) => entries.filter((e) => !e.sealed && e.officerId === officerId);
  const [outbox, rejected, local, incidents, photos, track, checkins, meta, session] = await Promise.all([
    db.getAll(OUTBOX),
    db.getAll(REJECTED),
    db.getAll(LOCAL),
    db.getAll(INCIDENT),
    db.getAll(PHOTO),
    db.getAll(TRACK),
    db.getAll(CHECKIN),
    db.getAll(META),
    db.get(SESSION, 'current'),
  ]);
  // Everything is sealed first; then one transaction writes it all (it would commit across an encryption's await).
  const sealed = {
    outbox: await Promise.all(
      mine(outbox).map((e) => (e.sealed ? e : sealEntry({ ...e, size: batchBytes(e.record), photos: [...blobsOf(e.record)] }, OUTBOX_CLEAR))),
    ),
    rejected: await Promise.all(mine(rejected).map((e) => (e.sealed ? e : sealEntry(e, REJECTED_CLEAR)))),
    local: await Promise.all(mine(local).map((e) => (e.sealed ? e : sealEntry(e, LOCAL_CLEAR)))),
    incidents: await Promise.all(mine(incidents).map((e) => (e.sealed ? e : sealEntry(e, INCIDENT_CLEAR)))),
    photos: await Promise.all(
      photos.filter((p) => p.officerId === officerId && p.blob).map(async ({ blob, ...rest }) => ({ ...rest, sealedBlob: await sealBlob(blob ?? new Blob()) })),
    ),
    track: await Promise.all(track.filter((e) => !e.sealed).map((e) => (e.sealed ? e : sealEntry(e, ['shiftId', 'seq'])))),
    checkins: await Promise.all(checkins.filter((e) => !e.sealed).map((e) => (e.sealed ? e : sealEntry(e, ['shiftId', 'seq'])))),
    meta: await Promise.all(
      meta
        .filter((m) => !m.sealed && m.value !== undefined && m.key.endsWith(`:${officerId}`) && OFFICER_META.some((prefix) => m.key.startsWith(prefix)))
        .map(async (m) => ({ key: m.key, sealed: await seal(m.value ?? '') })),
    ),
  };
  const tx = db.transaction([OUTBOX, REJECTED, LOCAL, INCIDENT, PHOTO, TRACK, CHECKIN, META], 'readwrite', { durability: 'strict' });
  await Promise.all([
    ...sealed.outbox.map((e) => tx.objectStore(OUTBOX).put(e)),
    ...sealed.rejected.map((e) => tx.objectStore(REJECTED).put(e)),
    ...sealed.local.map((e) => tx.objectStore(LOCAL).put(e)),
    ...sealed.incidents.map((e) => tx.objectStore(INCIDENT).put(e)),
    ...sealed.photos.map((e) => tx.objectStore(PHOTO).put(e)),
    ...sealed.track.map((e) => tx.objectStore(TRACK).put(e)),
    ...sealed.checkins.map((e) => tx.objectStore(CHECKIN).put(e)),
    ...sealed.meta.map((e) => tx.objectStore(META).put(e)),
  ]);
  await tx.done;
  const legacySession = session && !session.sealed ? (session as Partial<SessionEntry>) : null;
  if (legacySession?.user?.id === officerId) await saveSessionUser(db, legacySession.user, new Date(legacySession.signedInAt ?? Date.now()));
  return Object.values(sealed).reduce((sum, list) => sum + list.length, 0);
}
