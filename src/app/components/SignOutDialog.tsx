import { signal, useSignal } from '@preact/signals';
import { useEffect, useId } from 'preact/hooks';
import { t } from '../i18n/index.js';
import { deviceDb } from '../state/db.js';
import { online } from '../state/network.js';
import { reportError } from '../state/notices.js';
import { signOut } from '../state/session.js';
import { outboxChannel, syncStatus } from '../state/sync.js';

/** True while the sign-out dialog is open. */
export const signOutAsked = signal(false);

function leave() {
  signOutAsked.value = false;
  void deviceDb.then(signOut).catch(reportError);
}

/**
 * Signing out never loses a record: with nothing waiting it signs out at once; otherwise it says
 * how many wait and what becomes of them, and offers to upload them first (with the count going
 * down) or to leave them on the device, sealed, for the officer's next sign-in here.
 */
export function SignOutDialog() {
  const id = useId();
  const waitingFor = useSignal(false);
  const waiting = syncStatus.value.waiting;
  useEffect(() => {
    if (signOutAsked.value && waiting === 0) leave();
  }, [signOutAsked.value, waiting]);
  useEffect(() => {
    if (!signOutAsked.value) waitingFor.value = false;
  }, [signOutAsked.value]);
  if (!signOutAsked.value || waiting === 0) return null;

  const upload = () => {
    waitingFor.value = true;
    // The sync controller hears this as "records changed" and flushes now.
    outboxChannel.dispatchEvent(new MessageEvent('message', { data: 'changed' }));
  };

  return (
    <div class="dialog-backdrop">
      <section class="dialog signout-dialog" role="dialog" aria-modal="true" aria-labelledby={id} data-testid="signout-dialog">
        <h2 id={id}>{t('signout.title')}</h2>
        <p data-testid="signout-waiting" data-waiting={waiting}>
          <strong>{t('signout.waiting', { n: waiting })}</strong>
        </p>
        <p>{t('signout.explain')}</p>
        {waitingFor.value && (
          <p role="status" class="muted">
            {online.value ? t('signout.waitingProgress', { n: waiting }) : t('signout.offline')}
          </p>
        )}
        <div class="dialog-actions">
          <button type="button" class="primary" disabled={waitingFor.value || !online.value} onClick={upload}>
            {t('signout.wait')}
          </button>
          <button type="button" onClick={leave}>
            {t('signout.anyway')}
          </button>
          <button type="button" onClick={() => (signOutAsked.value = false)}>
            {t('signout.cancel')}
          </button>
        </div>
      </section>
    </div>
  );
}
