import { useEffect } from 'preact/hooks';
import { loadSessionSlot } from '../../store/session-store.js';
import { deviceDb } from '../state/db.js';
import { askPasswordAgain, loadLockPolicy, lockNow, lockPolicy, lockView, resignDue } from '../state/device-lock.js';
import { online } from '../state/network.js';
import { reportError } from '../state/notices.js';
import { activeUser } from '../state/session.js';

/** What counts as the officer using the phone. */
const ACTIVITY = ['pointerdown', 'keydown', 'wheel', 'touchstart'] as const;
/** How often a device that reaches the server checks whether the password is due again. */
const RESIGN_CHECK_MS = 60_000;

/**
 * Locks the screen after the unit's idle minutes without a touch (the data key stays in memory:
 * the patrol and the outbox go on), and asks for the password again once the unit's hours since
 * the last one are up and the server can be reached.
 */
export function LockController() {
  const user = activeUser.value;
  const open = lockView.value.kind === 'open';
  const idleMs = lockPolicy.value.idleMinutes * 60_000;

  useEffect(() => {
    if (user) deviceDb.then(loadLockPolicy).catch(reportError);
  }, [user?.id]);

  useEffect(() => {
    if (!user || !open) return;
    let last = Date.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const arm = () => {
      last = Date.now();
      clearTimeout(timer);
      timer = setTimeout(lockNow, idleMs);
    };
    // A hidden page's timers may be held back (Chromium throttles them): judged again when it shows.
    const shown = () => {
      if (document.visibilityState === 'visible' && Date.now() - last >= idleMs) lockNow();
    };
    for (const kind of ACTIVITY) document.addEventListener(kind, arm, { capture: true, passive: true });
    document.addEventListener('visibilitychange', shown);
    arm();
    return () => {
      clearTimeout(timer);
      for (const kind of ACTIVITY) document.removeEventListener(kind, arm, { capture: true });
      document.removeEventListener('visibilitychange', shown);
    };
  }, [user?.id, open, idleMs]);

  // Only while the server answers: offline, the PIN keeps opening the officer's own records, and
  // the password is asked for once the network is back (this effect runs again then).
  const reachable = online.value;
  useEffect(() => {
    if (!user || !reachable) return;
    const check = () =>
      deviceDb
        .then(loadSessionSlot)
        .then((slot) => {
          if (slot && resignDue(slot.signedInAt)) askPasswordAgain(user.badge);
        })
        .catch(reportError);
    check();
    const timer = setInterval(check, RESIGN_CHECK_MS);
    return () => clearInterval(timer);
  }, [user?.id, reachable]);

  return null;
}
