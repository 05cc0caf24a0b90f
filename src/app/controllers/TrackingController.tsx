import { useEffect } from 'preact/hooks';
import type { GeofenceEvent } from '../../domain/geofence/engine.js';
import { FOOT_PATROL, type Fix } from '../../domain/track-filter.js';
import { locale, t } from '../i18n/index.js';
import { checkpoints, insideNow, loadCheckpoints, recordGeofenceCheckin } from '../state/checkins.js';
import { notify, reportError } from '../state/notices.js';
import { currentUser } from '../state/session.js';
import { openShift } from '../state/shift.js';
import { pulls } from '../state/sync.js';
import { recordFix, recordTracking, route, toFix, type TrackingReason } from '../state/tracking.js';
import { worker } from '../worker-bridge.js';

/** How long a check-in's confirmation stays on screen. */
const CHECKIN_NOTICE_MS = 15_000;

/** No usable fix for this long is a pause, recorded as such. */
const NO_FIX_MS = 60_000;

interface WakeLockSentinelLike extends EventTarget {
  released: boolean;
  release(): Promise<void>;
}
interface WakeLockNavigator {
  wakeLock?: { request(type: 'screen'): Promise<WakeLockSentinelLike> };
}

/**
 * Records the route while a shift is open and the app is visible: watchPosition at high
 * accuracy, the screen kept on, every fix judged by the worker's filter, and every pause
 * (hidden, permission, no fix) written down as a `tracking` record so it is a gap, not a line.
 */
export function TrackingController() {
  const user = currentUser.value;
  const shift = openShift.value;
  const officerId = user?.role === 'officer' ? user.id : null;
  const shiftId = shift?.shiftId ?? null;
  const onFoot = !shift?.vehicle;

  useEffect(() => {
    if (!officerId || !shiftId) return;
    const controller = new AbortController();
    let watchId: number | null = null;
    let wakeLock: WakeLockSentinelLike | null = null;
    let paused: TrackingReason | null = null;
    let lastUsableAt = Date.now();
    // Records are written one after another, in the order things happened.
    let queue = Promise.resolve();
    const write = (task: () => Promise<unknown>) => {
      queue = queue.then(task).then(() => undefined, reportError);
    };

    const acquireWakeLock = async () => {
      const api = (navigator as Navigator & WakeLockNavigator).wakeLock;
      if (!api || document.visibilityState !== 'visible') return;
      try {
        wakeLock = await api.request('screen');
        wakeLock.addEventListener('release', () => {
          // Lost while still visible (battery saver, a system dialog): say so and try again.
          if (document.visibilityState === 'visible' && !controller.signal.aborted) {
            write(() => recordTracking(officerId, shiftId, 'on', 'wake-lock-lost'));
            void acquireWakeLock();
          }
        });
      } catch (error) {
        console.warn('screen wake lock refused', error);
      }
    };

    const stopWatch = () => {
      if (watchId !== null) navigator.geolocation.clearWatch(watchId);
      watchId = null;
    };

    /** A kept fix: its position record, then the geofence's verdict on it (which may complete a check-in). */
    const keepFix = async (fix: Fix) => {
      const recordId = await recordFix(officerId, shiftId, fix);
      await checkInOn(await worker().geofenceOffer({ recordId, lat: fix.lat, lon: fix.lon, accuracy: fix.accuracy, fixAt: fix.fixAt }));
    };

    const checkInOn = async (events: GeofenceEvent[]) => {
      for (const event of events) {
        if (event.type !== 'checkin') continue;
        const written = await recordGeofenceCheckin(officerId, shiftId, event);
        if (!written) continue;
        navigator.vibrate?.([200, 100, 200]);
        const name = checkpoints.value.find((c) => c.id === event.checkpointId)?.name;
        // Long enough to be read after the vibration makes the officer look.
        notify('info', t('checkin.done', { name: name ? name[locale.value] : event.checkpointId, s: Math.round(event.dwellS) }), undefined, CHECKIN_NOTICE_MS);
      }
      insideNow.value = await worker().geofenceInside();
    };

    const pause = (reason: TrackingReason) => {
      if (paused) return;
      paused = reason;
      if (reason !== 'no-fix') stopWatch();
      write(async () => {
        const tail = await worker().trackingGap();
        if (tail) await keepFix(tail);
        // A pause breaks any dwell in progress: the officer's presence was not observed meanwhile.
        await worker().geofenceGap();
        insideNow.value = [];
        await recordTracking(officerId, shiftId, 'paused', reason);
      });
    };

    const resume = (reason: TrackingReason) => {
      paused = null;
      lastUsableAt = Date.now();
      write(() => recordTracking(officerId, shiftId, 'on', reason));
      startWatch();
      void acquireWakeLock();
    };

    const onFix = (position: GeolocationPosition) => {
      const fix = toFix(position);
      write(async () => {
        const verdict = await worker().trackingOffer(fix, Date.now());
        if (!verdict.keep) return;
        lastUsableAt = Date.now();
        if (paused === 'no-fix') {
          paused = null;
          await recordTracking(officerId, shiftId, 'on', 'fix-resumed');
        }
        await keepFix(fix);
      });
    };

    const onError = (error: GeolocationPositionError) => {
      if (error.code === error.PERMISSION_DENIED) pause('permission-denied');
      else if (error.code === error.POSITION_UNAVAILABLE && Date.now() - lastUsableAt > NO_FIX_MS) pause('position-unavailable');
    };

    function startWatch() {
      if (watchId !== null) return;
      watchId = navigator.geolocation.watchPosition(onFix, onError, { enableHighAccuracy: true, maximumAge: 0, timeout: 30_000 });
    }

    const noFixTimer = setInterval(() => {
      if (!paused && document.visibilityState === 'visible' && Date.now() - lastUsableAt > NO_FIX_MS) pause('no-fix');
    }, 5_000);

    document.addEventListener(
      'visibilitychange',
      () => (document.visibilityState === 'hidden' ? pause('page-hidden') : paused === 'page-hidden' && resume('page-visible')),
      { signal: controller.signal },
    );
    // A reload or closed tab: best effort, the next start marks the gap anyway.
    addEventListener('pagehide', () => pause('page-hidden'), { signal: controller.signal });

    // Start: a new shift, or the app reopened on an open shift (the time away is a gap).
    const last = route.value.at(-1);
    if (last?.kind === 'fix') write(() => recordTracking(officerId, shiftId, 'paused', 'page-hidden'));
    write(() => worker().trackingStart(onFoot ? FOOT_PATROL : {}));
    // A fresh engine per shift: a visit or cool-down of the last shift must not carry over.
    write(() => worker().geofenceLoad([...checkpoints.peek()], {}));
    if (document.visibilityState === 'visible') resume(route.value.length === 0 ? 'shift-start' : 'page-visible');
    else paused = 'page-hidden';

    return () => {
      controller.abort();
      clearInterval(noFixTimer);
      stopWatch();
      void wakeLock?.release().catch(reportError);
    };
  }, [officerId, shiftId, onFoot]);

  // The geofence's checkpoints and the plans, read here (mounted at the root) so check-ins work on
  // whichever screen the app reopens; read again after each pull (an admin edits one mid-shift).
  const squadId = user?.squadId ?? null;
  const pulled = pulls.value;
  useEffect(() => {
    if (!officerId || !shiftId) return;
    loadCheckpoints(officerId, squadId).catch(reportError);
  }, [officerId, squadId, shiftId, pulled]);

  const fences = checkpoints.value;
  useEffect(() => {
    if (!officerId || !shiftId) return;
    // Keeps open visits of checkpoints that remain, so a pull mid-visit cannot check in twice.
    worker()
      .geofenceLoad([...fences])
      .catch(reportError);
  }, [officerId, shiftId, fences]);

  return null;
}
