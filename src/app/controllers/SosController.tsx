import { useEffect } from 'preact/hooks';
import { SOS_FIX_EVERY_MS } from '../../domain/protocol/squad.js';
import { reportError } from '../state/notices.js';
import { reportFix } from '../state/patrol.js';
import { currentUser } from '../state/session.js';
import { openShift } from '../state/shift.js';
import { activeSos, loadSos } from '../state/sos.js';
import { toFix } from '../state/tracking.js';

/**
 * While the officer's SOS lasts, sends a fix every 5 s, each first in the outbox (priority 0), so
 * the leader follows them even behind a backlog. Off shift there is no shift to put a fix in: the
 * SOS record's own fix is all there is.
 */
export function SosController() {
  const user = currentUser.value;
  const officerId = user?.role === 'officer' ? user.id : null;
  useEffect(() => {
    if (officerId) loadSos(officerId).catch(reportError);
    else activeSos.value = null;
  }, [officerId]);

  const alertId = activeSos.value?.alertId ?? null;
  const shiftId = openShift.value?.shiftId ?? null;
  useEffect(() => {
    if (!officerId || !alertId || !shiftId) return;
    // Its own watch, so a fix is at hand whatever the patrol's sampling keeps; every 5 s the
    // newest one not yet sent goes. (getCurrentPosition was tried: Chromium answers it with its
    // cached fix, old timestamp and all, and then times out while a watch runs.)
    let newest: GeolocationPosition | null = null;
    let sentAt = 0;
    const watch = navigator.geolocation.watchPosition(
      (position) => (newest = position),
      (error) => console.warn('SOS fixes: no position', error.message),
      { enableHighAccuracy: true, maximumAge: 0, timeout: SOS_FIX_EVERY_MS * 6 },
    );
    const timer = setInterval(() => {
      if (!newest || newest.timestamp <= sentAt) return;
      sentAt = newest.timestamp;
      reportFix(officerId, shiftId, toFix(newest), 0).catch(reportError);
    }, SOS_FIX_EVERY_MS);
    return () => {
      clearInterval(timer);
      navigator.geolocation.clearWatch(watch);
    };
  }, [officerId, alertId, shiftId]);
  return null;
}
