import { httpTransport } from '../store/http-transport.js';
import { webLocks } from '../store/locks.js';
import { openXunfangDB, SESSION } from '../store/schema.js';
import { flushOutbox } from '../store/sync-engine.js';

/**
 * Flushes the signed-in officer's outbox from the service worker, so records leave even when
 * no page is open. A rejection tells the browser to retry the sync later.
 */
export async function flushFromServiceWorker(): Promise<void> {
  const db = await openXunfangDB();
  try {
    const session = await db.get(SESSION, 'current');
    if (!session) return;
    await flushOutbox({ db, transport: httpTransport, withLock: webLocks }, session.user.id);
  } finally {
    db.close();
  }
}
