import { useEffect } from 'preact/hooks';
import { checkpoints } from '../state/local-copies.js';
import { t } from '../i18n/index.js';
import { notify, reportError } from '../state/notices.js';
import { sendPatrol, startPatrol } from '../state/patrol.js';
import { currentUser } from '../state/session.js';
import { openShift } from '../state/shift.js';
import { placesToReach } from '../state/tasks.js';
import { wirePatrol, type WakeLockLike } from './patrol-wiring.js';

/** Said once per page life: the refusal does not change while the page stays open. */
let toldWakeLock = false;
function wakeLockRefused(error: unknown): void {
  if (toldWakeLock) return;
  toldWakeLock = true;
  console.warn('screen wake lock refused', error);
  notify('info', () => t('wakeLock.refused'));
}

/**
 * Records the route while a shift is open: the worker's patrol session judges every fix, clock
 * tick and page event (see src/domain/patrol-session.ts); this only wires the browser to it.
 */
export function TrackingController() {
  const user = currentUser.value;
  const shift = openShift.value;
  const officerId = user?.role === 'officer' ? user.id : null;
  const shiftId = shift?.shiftId ?? null;
  const startedAt = shift ? Date.parse(shift.startedAt) : Number.NaN;
  const onFoot = !shift?.vehicle;

  useEffect(() => {
    if (!officerId || !shiftId) return;
    return wirePatrol({
      start: (visible, now) => startPatrol(officerId, { shiftId, startedAt, onFoot }, visible, now),
      send: (event) => sendPatrol(officerId, shiftId, event),
      clock: () => Date.now(),
      geolocation: navigator.geolocation,
      wakeLock: (navigator as Navigator & { wakeLock?: WakeLockLike }).wakeLock,
      document,
      window,
      visible: () => document.visibilityState === 'visible',
      report: reportError,
      wakeLockRefused,
    });
  }, [officerId, shiftId, startedAt, onFoot]);

  // A pull that changed the checkpoints (an admin edits one mid-shift): the session keeps the open
  // visits of those that remain, so a pull mid-visit cannot check in twice.
  const fences = checkpoints.value;
  useEffect(() => {
    if (!officerId || !shiftId) return;
    sendPatrol(officerId, shiftId, { type: 'checkpoints', checkpoints: [...fences], now: Date.now() }).catch(reportError);
  }, [officerId, shiftId, fences]);

  // Tasks given, reassigned or reached: the session watches for arrival at the places still to reach.
  // Keyed by content: a pull that brings the same tasks again changes nothing.
  const places = officerId ? placesToReach(officerId) : [];
  const placesKey = JSON.stringify(places);
  useEffect(() => {
    if (!officerId || !shiftId) return;
    sendPatrol(officerId, shiftId, { type: 'tasks', tasks: places, now: Date.now() }).catch(reportError);
  }, [officerId, shiftId, placesKey]);

  return null;
}
