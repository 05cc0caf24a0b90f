import { WIPED_KEY } from '../../../store/device-wipe.js';
import { formatDateTime, t } from '../../i18n/index.js';
import { PasswordForm } from './PasswordForm.js';

/**
 * Set by a lost device's erasure (device-wipe.ts), which then reloads the page: read once per
 * page load, and forgotten, so the sign-in says it until the next load however often it mounts.
 */
const wipedAt = localStorage.getItem(WIPED_KEY);
localStorage.removeItem(WIPED_KEY);

/** The sign-in screen of a device nobody is signed in on. */
export function LoginScreen() {
  return (
    <main class="login">
      <h1>{t('auth.title')}</h1>
      <p class="muted">{t('auth.subtitle')}</p>
      {wipedAt && (
        <p class="panel wiped-notice" role="alert" data-testid="device-wiped">
          {t('device.wiped', { time: formatDateTime(wipedAt) })}
        </p>
      )}
      <PasswordForm />
    </main>
  );
}
