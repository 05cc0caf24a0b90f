import { t, toggleLocale } from '../i18n/index.js';
import { deviceDb } from '../state/db.js';
import { online } from '../state/network.js';
import { SyncIndicator } from './SyncIndicator.js';
import { reportError } from '../state/notices.js';
import { currentUser, signOut } from '../state/session.js';
import { syncStatus } from '../state/sync.js';

/** Signs out, after a warning when records still wait (they stay on the device for this officer). */
function confirmSignOut() {
  const waiting = syncStatus.value.waiting;
  if (waiting > 0 && !confirm(t('auth.signOutPending', { n: waiting }))) return;
  void deviceDb.then(signOut).catch(reportError);
}

/** App name, network state, language toggle and sign-out: always in reach of one thumb. */
export function TopBar() {
  const user = currentUser.value;
  return (
    <header class="topbar">
      <strong class="brand">{t('app.name')}</strong>
      {user ? (
        <SyncIndicator />
      ) : (
        <span class={`net ${online.value ? 'net-on' : 'net-off'}`} role="status" data-testid="net-status">
          {online.value ? t('net.online') : t('net.offline')}
        </span>
      )}
      <span class="spacer" />
      <button type="button" onClick={toggleLocale} title={t('lang.toggleLabel')}>
        {t('lang.toggle')}
      </button>
      {user && (
        <button type="button" onClick={confirmSignOut}>
          {t('auth.signOut')}
        </button>
      )}
    </header>
  );
}
