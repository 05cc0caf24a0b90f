import { OUTBOX_FLUSH_MESSAGE } from '../store/sync-engine.js';

/**
 * Background Sync's turn to flush the outbox. The records are sealed under the officer's data
 * key, which only a page that was unlocked holds (issue 16): the service worker never gets it,
 * so it cannot read them, and asks the open pages to flush instead. With no page open, or only a
 * locked one, the records wait; the lock screen tells the officer so. Resolving ends this sync:
 * a page flushes on its own once unlocked.
 */
export async function flushFromServiceWorker(clients: Clients): Promise<number> {
  const windows = await clients.matchAll({ type: 'window' });
  for (const client of windows) client.postMessage({ type: OUTBOX_FLUSH_MESSAGE });
  return windows.length;
}
