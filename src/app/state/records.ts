import type { BodyOf, RecordKind, RecordOf } from '../../domain/records.js';
import { webLocks } from '../../store/locks.js';
import { appendRecord, type AppendOptions } from '../../store/record-writer.js';
import { OUTBOX_SYNC_TAG } from '../../store/sync-engine.js';
import { deviceDb } from './db.js';
import { outboxChannel, refreshSyncStatus } from './sync.js';

interface SyncRegistration extends ServiceWorkerRegistration {
  sync?: { register(tag: string): Promise<void> };
}

/** Writes a signed record to the outbox and lets every sync trigger know. */
export async function record<K extends RecordKind>(officerId: string, kind: K, body: BodyOf<K>, options?: AppendOptions): Promise<RecordOf<K>> {
  const written = await appendRecord(await deviceDb, webLocks, officerId, kind, body, options);
  outboxChannel.postMessage('changed'); // other tabs
  outboxChannel.dispatchEvent(new MessageEvent('message', { data: 'changed' })); // this tab
  void refreshSyncStatus(officerId);
  // Where the browser has Background Sync, the service worker flushes even if this page is closed.
  void navigator.serviceWorker?.ready
    .then((registration) => (registration as SyncRegistration).sync?.register(OUTBOX_SYNC_TAG))
    .catch((error: unknown) => console.warn('background sync registration failed', error));
  return written;
}
