import type { BodyOf, RecordKind, RecordOf } from '../../domain/records.js';
import { webLocks } from '../../store/locks.js';
import { appendRecord, type AppendOptions } from '../../store/record-writer.js';
import { OUTBOX_SYNC_TAG } from '../../store/sync-engine.js';
import { deviceDb } from './db.js';
import { outboxChannel, refreshSyncStatus, syncStatus } from './sync.js';

interface SyncRegistration extends ServiceWorkerRegistration {
  sync?: { register(tag: string): Promise<void> };
}

/** Writes a signed record to the outbox and lets every sync trigger know. */
export async function record<K extends RecordKind>(officerId: string, kind: K, body: BodyOf<K>, options?: AppendOptions): Promise<RecordOf<K>> {
  const written = await appendRecord(await deviceDb, webLocks, officerId, kind, body, options);
  outboxChannel.postMessage('changed'); // other tabs
  outboxChannel.dispatchEvent(new MessageEvent('message', { data: 'changed' })); // this tab
  void refreshSyncStatus(officerId);
  requestBackgroundSync();
  return written;
}

/** A sync is registered for the records now waiting; re-armed when the outbox empties. */
let syncRegistered = false;
/** A browser that refused once (no permission, no Background Sync) refuses every time. */
let syncRefused = false;
syncStatus.subscribe(({ waiting }) => {
  if (waiting === 0) syncRegistered = false;
});

/**
 * Where the browser has Background Sync, lets the service worker flush even if this page is
 * closed. Asked once per outbox becoming non-empty, not per record: the tag stays registered
 * until the worker's `sync` runs, and one warning per fix filled the console (313 in a shift).
 */
function requestBackgroundSync(): void {
  if (syncRegistered || syncRefused) return;
  syncRegistered = true;
  void navigator.serviceWorker?.ready
    .then((registration) => (registration as SyncRegistration).sync?.register(OUTBOX_SYNC_TAG))
    .catch((error: unknown) => {
      syncRefused = true;
      console.warn('background sync registration failed; the open page flushes the outbox instead', error);
    });
}
