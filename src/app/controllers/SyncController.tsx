import { useEffect } from 'preact/hooks';
import { LIVE_RESYNC } from '../../domain/protocol/live.js';
import { ApiError, OfflineError } from '../../store/api.js';
import { httpTransport } from '../../store/http-transport.js';
import { DeviceRevokedError, wipeDevice } from '../../store/device-wipe.js';
import { webLocks } from '../../store/locks.js';
import { META } from '../../store/schema.js';
import { flushOutbox, OUTBOX_FLUSH_MESSAGE, pullAll, TransientError } from '../../store/sync-engine.js';
import { SyncScheduler, type RunOutcome } from '../../store/sync-policy.js';
import { t } from '../i18n/index.js';
import { deviceDb } from '../state/db.js';
import { askPasswordAgain, lockView } from '../state/device-lock.js';
import { loadLocalCopies } from '../state/local-copies.js';
import { liveEvents } from '../state/live.js';
import { online, reachable } from '../state/network.js';
import { describeError, reportError } from '../state/notices.js';
import { activeUser } from '../state/session.js';
import { lastSyncKey, outboxChannel, patchSyncStatus, refreshSyncStatus, showSyncFor, storagePersisted } from '../state/sync.js';

/** Runs the outbox and pull for the signed-in user: on start, the server back, visible, new records, and a backoff timer. */
export function SyncController() {
  // Nothing syncs until a one-time password has been replaced: the server would refuse it all.
  const user = activeUser.value;
  useEffect(() => {
    if (!user) return;
    const officerId = user.id;
    const controller = new AbortController();
    const { signal } = controller;
    showSyncFor(officerId);

    const run = async (): Promise<RunOutcome> => {
      patchSyncStatus(officerId, { syncing: true });
      try {
        const db = await deviceDb;
        const deps = { db, transport: httpTransport, withLock: webLocks };
        await flushOutbox(deps, officerId);
        // The count drops as the records leave, not once the pull after them is done too.
        void refreshSyncStatus(officerId).catch(reportError);
        await pullAll(deps, officerId);
        // What pull changed reaches the screens and the patrol session through the local copies.
        void loadLocalCopies(officerId).catch(reportError);
        const at = new Date().toISOString();
        await db.put(META, { key: lastSyncKey(officerId), value: at });
        patchSyncStatus(officerId, { problem: null });
        reachable(true);
        return 'done';
      } catch (error) {
        if (error instanceof TransientError) {
          // No answer at all shows as the header's offline state; a problem line is for a server
          // that answers with errors.
          const offline = error.cause instanceof OfflineError;
          if (offline) reachable(false);
          patchSyncStatus(officerId, { problem: offline ? null : (blobRefusal(error.cause) ?? t('sync.serverUnreachable')) });
          return 'retry';
        }
        if (error instanceof DeviceRevokedError) {
          // Marked lost: what it held has been sent; now it erases itself and shows the sign-in.
          await wipeDevice(await deviceDb, error.revokedAt);
          location.replace('/login');
          return 'done';
        }
        if (error instanceof ApiError && error.status === 401) {
          // The server ended the session (12 hours, or signed out elsewhere): the records wait
          // for the password, which is asked for now rather than at the next 12-hour check.
          patchSyncStatus(officerId, { problem: t('auth.sessionExpired') });
          askPasswordAgain(user.badge);
          return 'retry';
        }
        patchSyncStatus(officerId, { problem: describeError(error) });
        throw error;
      } finally {
        patchSyncStatus(officerId, { syncing: false });
        await refreshSyncStatus(officerId).catch(reportError);
      }
    };

    const scheduler = new SyncScheduler(run, reportError);
    let debounce: ReturnType<typeof setTimeout> | undefined;
    const soon = () => {
      clearTimeout(debounce);
      debounce = setTimeout(() => scheduler.nudge(), 300);
    };
    // The server answering again (a probe on `online` or on a timer, see network.ts, or any call)
    // runs at once, not after a backoff that grew while offline.
    let wasOnline = online.peek();
    const unwatchNetwork = online.subscribe((now) => {
      if (now && !wasOnline) scheduler.trigger();
      wasOnline = now;
    });
    // The device opened again (the password typed after a refused session, most of all): what
    // waited goes now, not after the backoff that the refusals grew.
    let wasOpen = lockView.peek().kind === 'open';
    const unwatchLock = lockView.subscribe((view) => {
      if (view.kind === 'open' && !wasOpen) scheduler.trigger();
      wasOpen = view.kind === 'open';
    });
    // The live channel says the server has something new for this user, or that it reconnected.
    // An SOS of the officer's own acknowledged or cancelled: pull brings the alert with who answered.
    const kinds = ['changes', 'task', LIVE_RESYNC, ...(user.role === 'officer' ? ['sos'] : [])];
    for (const kind of kinds) liveEvents.addEventListener(kind, () => scheduler.trigger(), { signal });
    document.addEventListener('visibilitychange', () => (document.visibilityState === 'visible' ? scheduler.trigger() : scheduler.pause()), { signal });
    outboxChannel.addEventListener(
      'message',
      () => {
        void refreshSyncStatus(officerId).catch(reportError);
        soon();
      },
      { signal },
    );

    // Background Sync fired in the service worker, which cannot open the records: this page can.
    navigator.serviceWorker?.addEventListener(
      'message',
      (event: MessageEvent<unknown>) => {
        if ((event.data as { type?: unknown } | null)?.type === OUTBOX_FLUSH_MESSAGE) scheduler.trigger();
      },
      { signal },
    );

    void refreshSyncStatus(officerId).catch(reportError);
    // What earlier pulls left on the device, before this run's pull (which may fail offline).
    void loadLocalCopies(officerId).catch(reportError);
    scheduler.trigger();
    return () => {
      void loadLocalCopies(null).catch(reportError);
      showSyncFor(null);
      controller.abort();
      unwatchNetwork();
      unwatchLock();
      clearTimeout(debounce);
      scheduler.stop();
    };
  }, [user?.id]);

  useEffect(() => {
    // Ask once that the browser keep our data under storage pressure; the answer is shown.
    navigator.storage?.persist?.().then((granted) => (storagePersisted.value = granted), reportError);
  }, []);

  return null;
}

/** What the officer is told when the server will not take a photo now (its storage quota, its size limit); the record waits. */
function blobRefusal(cause: unknown): string | null {
  if (!(cause instanceof ApiError)) return null;
  if (cause.body.error === 'storage-full') return t(cause.body.storage === 'officer' ? 'sync.storageFull.officer' : 'sync.storageFull.unit');
  if (cause.status === 413) return t('sync.photoTooLarge');
  return null;
}
