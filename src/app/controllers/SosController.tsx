import { useEffect } from 'preact/hooks';
import { SOS_FIX_EVERY_MS } from '../../domain/protocol/squad.js';
import { reportError } from '../state/notices.js';
import { reportFix } from '../state/patrol.js';
import { currentUser } from '../state/session.js';
import { openShift } from '../state/shift.js';
import { activeSos, currentFix, loadSos } from '../state/sos.js';
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
    let sending = false;
    const timer = setInterval(() => {
      if (sending) return;
      sending = true;
      currentFix(SOS_FIX_EVERY_MS - 500, 0)
        .then((position) => (position ? reportFix(officerId, shiftId, toFix(position), 0) : undefined))
        .catch(reportError)
        .finally(() => (sending = false));
    }, SOS_FIX_EVERY_MS);
    return () => clearInterval(timer);
  }, [officerId, alertId, shiftId]);
  return null;
}
