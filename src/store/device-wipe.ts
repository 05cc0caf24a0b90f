import type { IDBPDatabase } from 'idb';
import type { XunfangDB } from './schema.js';

// A device an admin marked lost (issue 16) erases what it holds once it has sent what it signed
// before the revocation: every IndexedDB database of this origin (records, local copies, photos,
// and the non-extractable signing key, which lives there) and every data cache. The precached
// app shell stays: it is the public app, and the sign-in screen needs it.

/** The device was marked lost: `flushOutbox` throws this after sending what it still held. */
export class DeviceRevokedError extends Error {
  constructor(readonly revokedAt: string) {
    super(`this device was marked lost at ${revokedAt}`);
  }
}

/** Where the sign-in screen finds why it is showing (kept across the wipe; nothing else is). */
export const WIPED_KEY = 'xf.deviceWiped';

/** Erases this origin's IndexedDB databases and data caches; `db` is closed first so deletion is not blocked. */
export async function wipeDevice(db: IDBPDatabase<XunfangDB>, revokedAt: string): Promise<void> {
  db.close();
  const databases = await indexedDB.databases();
  await Promise.all(
    databases.map(
      ({ name }) =>
        new Promise<void>((resolve, reject) => {
          if (!name) return resolve();
          const request = indexedDB.deleteDatabase(name);
          request.onsuccess = () => resolve();
          request.onerror = () => reject(request.error ?? new Error(`could not delete ${name}`));
          // Another tab still holds it: its `versionchange` handler closes it, then this goes on.
          request.onblocked = () => undefined;
        }),
    ),
  );
  if (typeof caches !== 'undefined') {
    for (const name of await caches.keys()) if (!name.startsWith('workbox-precache')) await caches.delete(name);
  }
  localStorage.setItem(WIPED_KEY, revokedAt);
}
