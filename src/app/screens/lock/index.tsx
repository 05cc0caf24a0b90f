import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { countOutbox } from '../../../store/outbox-store.js';
import { dataKeyHolder } from '../../../store/vault.js';
import { t } from '../../i18n/index.js';
import { deviceDb } from '../../state/db.js';
import { deviceSecret, lockPolicy, type LockView } from '../../state/device-lock.js';
import { online } from '../../state/network.js';
import { reportError } from '../../state/notices.js';
import { currentUser } from '../../state/session.js';
import { PasswordForm } from '../login/PasswordForm.js';
import { SosControl } from '../officer/SosControl.js';
import { PinEntry } from './PinEntry.js';

type Shown = Extract<LockView, { kind: 'locked' | 'sealed' | 'resign' }>;

/**
 * The lock screen: only the way in (PIN, or the password) and, while the app still runs behind it,
 * the SOS control. Sealed (after a restart), it says how many records wait for the unlock: they
 * are kept, encrypted, and go once the device is open. The password due again (`resign`) is asked
 * for only while the server answers: offline the PIN opens, and the password waits for the network.
 */
export function LockScreen({ view }: { view: Shown }) {
  const user = currentUser.value;
  const officerId = view.kind === 'sealed' ? view.officerId : (user?.id ?? '');
  const resignOffline = view.kind === 'resign' && !online.value;
  const pinWorks = view.kind === 'locked' || resignOffline || (view.kind === 'sealed' && view.state === 'pin');
  // The officer's switch to the other form holds for the state they switched in: derived in the
  // render, so a new state (the password due once the network is back) never shows the old form
  // for a frame, as an effect resetting it after the render did.
  const state = `${view.kind}:${pinWorks}`;
  const switchedIn = useSignal<string | null>(null);
  const withPassword = !pinWorks || switchedIn.value === state;
  const waiting = useSignal(0);
  useEffect(() => {
    // Counted from the outbox's clear index: no key needed.
    if (view.kind === 'sealed')
      deviceDb
        .then((db) => countOutbox(db, officerId))
        .then((counts) => (waiting.value = counts.waiting))
        .catch(reportError);
  }, [view.kind, officerId]);
  const secret = view.kind === 'sealed' ? view.secret : deviceSecret.value;
  const running = !!dataKeyHolder() && view.kind !== 'sealed';

  return (
    <main class="login lock-screen" data-testid="lock-screen" data-lock={view.kind}>
      <h1>{t('lock.title')}</h1>
      {view.kind === 'sealed' && view.state === 'password-only' && (
        <p class="form-error" role="alert" data-testid="pin-wiped">
          {t(view.secret === 'pin' ? 'lock.wiped' : 'lock.wipedPassphrase')}
        </p>
      )}
      {view.kind === 'sealed' && view.state === 'none' && <p>{t('lock.noPin')}</p>}
      {view.kind === 'resign' && (
        <p>
          {resignOffline
            ? t(secret === 'pin' ? 'lock.resignOffline' : 'lock.resignOfflinePassphrase', { hours: lockPolicy.value.resignHours })
            : t('lock.resign', { hours: lockPolicy.value.resignHours })}
        </p>
      )}
      {withPassword ? <PasswordForm badge={view.kind === 'resign' ? view.badge : user?.badge} /> : <PinEntry officerId={officerId} secret={secret} />}
      {/* Waiting for the network, the password form could only fail: the text above says when it comes. */}
      {pinWorks && !resignOffline && (
        <button type="button" class="link" onClick={() => (switchedIn.value = switchedIn.value === state ? null : state)}>
          {withPassword
            ? t(secret === 'pin' ? 'lock.usePin' : 'lock.usePinPassphrase')
            : t(secret === 'pin' ? 'lock.usePassword' : 'lock.usePasswordPassphrase')}
        </button>
      )}
      {view.kind === 'sealed' && waiting.value > 0 && (
        <p class="lock-waiting" data-testid="lock-waiting" data-waiting={waiting.value}>
          {t('lock.waiting', { n: waiting.value })}
        </p>
      )}
      {running && <p class="muted">{t('lock.keepsRunning')}</p>}
      {running && user?.role === 'officer' && <SosControl user={user} />}
    </main>
  );
}
