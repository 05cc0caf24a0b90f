import type { IDBPDatabase } from 'idb';
import { blobsOfPhotos } from '../domain/incidents.js';
import type { SignedRecord } from '../domain/records.js';
import { OUTBOX, PHOTO, type PhotoEntry, type StoredPhoto, type XunfangDB } from './schema.js';
import { sealBlob, unsealBlob } from './vault.js';

// Photos on the device between the camera and the server (issue 15). A photo goes up before any
// record that names it, once (`uploaded` stays true), and leaves the device only when the server
// holds it and no record naming it waits in the outbox any more.

const STRICT = { durability: 'strict' } as const;

/** The blobs a record names (an incident's report or update: photos and their thumbnails), else none. */
export function blobsOf(record: SignedRecord): readonly string[] {
  return record.kind === 'incident.report' || record.kind === 'incident.update' ? blobsOfPhotos(record.body.photos) : [];
}

/** The blobs an outbox entry names: a sealed entry cannot be opened inside a transaction, so it names them in clear. */
function namedBy(entry: XunfangDB[typeof OUTBOX]['value']): readonly string[] {
  return entry.photos ?? (entry.sealed ? [] : blobsOf(entry.record));
}

/** The bytes of a photo or thumbnail still on this device (not yet sent, or sent with its record still waiting), else null. */
export async function readPhoto(db: IDBPDatabase<XunfangDB>, sha256: string): Promise<Blob | null> {
  const stored = await db.get(PHOTO, sha256);
  return stored ? (await openPhoto(stored)).blob : null;
}

/** Keeps a prepared photo (or its thumbnail) until it is sent; the same bytes twice are one entry. */
export async function keepPhoto(db: IDBPDatabase<XunfangDB>, photo: Omit<PhotoEntry, 'uploaded' | 'storedAt'>, now = new Date()): Promise<void> {
  // Its bytes sealed before the transaction opens (it would commit across the await); its size,
  // type and hash stay clear, as the record that names it says them anyway.
  const { blob, ...ref } = photo;
  const sealedBlob = await sealBlob(blob);
  const tx = db.transaction(PHOTO, 'readwrite', STRICT);
  if (!(await tx.store.get(photo.sha256))) await tx.store.put({ ...ref, sealedBlob, uploaded: false, storedAt: now.toISOString() });
  await tx.done;
}

/** Opens a kept photo's bytes; one kept before sealing is returned as it is. */
async function openPhoto(stored: StoredPhoto): Promise<PhotoEntry> {
  const { sealedBlob, blob, ...rest } = stored;
  if (blob) return { ...rest, blob };
  if (!sealedBlob) throw new Error(`photo ${stored.sha256} has no bytes`);
  return { ...rest, blob: await unsealBlob(sealedBlob, stored.type) };
}

/** The photos a batch names that are on this device and not yet sent, each once. */
export async function photosToUpload(db: IDBPDatabase<XunfangDB>, records: readonly SignedRecord[]): Promise<PhotoEntry[]> {
  const names = [...new Set(records.flatMap(blobsOf))];
  if (names.length === 0) return [];
  const tx = db.transaction(PHOTO);
  const held = await Promise.all(names.map((name) => tx.store.get(name)));
  return Promise.all(held.filter((p): p is StoredPhoto => !!p && !p.uploaded).map(openPhoto));
}

/** Notes whether the server holds these photos: true after it said so, false when a push said it lacks them. */
export async function markUploaded(db: IDBPDatabase<XunfangDB>, names: readonly string[], uploaded: boolean): Promise<void> {
  const tx = db.transaction(PHOTO, 'readwrite', STRICT);
  await Promise.all(
    names.map(async (name) => {
      const photo = await tx.store.get(name);
      if (photo && photo.uploaded !== uploaded) await tx.store.put({ ...photo, uploaded });
    }),
  );
  await tx.done;
}

/**
 * Removes the photos these acknowledged records named, when the server holds them and no record
 * still in the outbox names them. Reads the outbox only when an acknowledged record named one.
 */
export async function forgetSentPhotos(db: IDBPDatabase<XunfangDB>, officerId: string, acknowledged: readonly SignedRecord[]): Promise<number> {
  const named = new Set(acknowledged.flatMap(blobsOf));
  if (named.size === 0) return 0;
  const tx = db.transaction([PHOTO, OUTBOX], 'readwrite', STRICT);
  const waiting = await tx
    .objectStore(OUTBOX)
    .index('by-state')
    .getAll(IDBKeyRange.bound([officerId], [officerId, []]));
  for (const entry of waiting) for (const name of namedBy(entry)) named.delete(name);
  let forgotten = 0;
  for (const name of named) {
    const photo = await tx.objectStore(PHOTO).get(name);
    if (photo?.uploaded) {
      await tx.objectStore(PHOTO).delete(name);
      forgotten++;
    }
  }
  await tx.done;
  return forgotten;
}

/**
 * Removes photos (and their thumbnails) taken for a form that was cancelled: those not sent and
 * named by no record in the outbox. Without this they would wait to go up forever, named by nothing.
 */
export async function dropUnnamedPhotos(db: IDBPDatabase<XunfangDB>, officerId: string, names: readonly string[]): Promise<number> {
  if (names.length === 0) return 0;
  const tx = db.transaction([PHOTO, OUTBOX], 'readwrite', STRICT);
  const waiting = await tx
    .objectStore(OUTBOX)
    .index('by-state')
    .getAll(IDBKeyRange.bound([officerId], [officerId, []]));
  const named = new Set(waiting.flatMap(namedBy));
  let dropped = 0;
  for (const name of new Set(names)) {
    const photo = await tx.objectStore(PHOTO).get(name);
    if (photo && photo.officerId === officerId && !photo.uploaded && !named.has(name)) {
      await tx.objectStore(PHOTO).delete(name);
      dropped++;
    }
  }
  await tx.done;
  return dropped;
}

/** How many of this officer's photos wait to go up. */
export async function countPhotosWaiting(db: IDBPDatabase<XunfangDB>, officerId: string): Promise<number> {
  return (await db.getAllFromIndex(PHOTO, 'by-officer', officerId)).filter((p) => !p.uploaded && !p.thumbOf).length;
}
