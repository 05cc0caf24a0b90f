import { t } from '../../i18n/index.js';
import { PasswordForm } from './PasswordForm.js';

/** The sign-in screen of a device nobody is signed in on. */
export function LoginScreen() {
  return (
    <main class="login">
      <h1>{t('auth.title')}</h1>
      <p class="muted">{t('auth.subtitle')}</p>
      <PasswordForm />
    </main>
  );
}
