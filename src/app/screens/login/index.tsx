import { useSignal } from '@preact/signals';
import { WIPED_KEY } from '../../../store/device-wipe.js';
import { formatDateTime, t } from '../../i18n/index.js';
import { deviceDb } from '../../state/db.js';
import { describeError } from '../../state/notices.js';
import { signIn } from '../../state/session.js';

/**
 * Set by a lost device's erasure (device-wipe.ts), which then reloads the page: read once per
 * page load, and forgotten, so the sign-in says it until the next load however often it mounts.
 */
const wipedAt = localStorage.getItem(WIPED_KEY);
localStorage.removeItem(WIPED_KEY);

/** Badge + password sign-in; the error stays on the form until the next attempt. */
export function LoginScreen() {
  const badge = useSignal('');
  const password = useSignal('');
  const busy = useSignal(false);
  const error = useSignal<string | null>(null);

  async function submit(event: Event) {
    event.preventDefault();
    busy.value = true;
    error.value = null;
    try {
      await signIn(await deviceDb, badge.value, password.value);
    } catch (failure) {
      console.error(failure);
      error.value = describeError(failure);
      password.value = '';
    } finally {
      busy.value = false;
    }
  }

  return (
    <main class="login">
      <h1>{t('auth.title')}</h1>
      <p class="muted">{t('auth.subtitle')}</p>
      {wipedAt && (
        <p class="panel wiped-notice" role="alert" data-testid="device-wiped">
          {t('device.wiped', { time: formatDateTime(wipedAt) })}
        </p>
      )}
      <form onSubmit={submit} class="stack" aria-busy={busy.value}>
        <label>
          {t('auth.badge')}
          <input
            name="badge"
            autocomplete="username"
            autocapitalize="characters"
            required
            value={badge.value}
            onInput={(e) => (badge.value = e.currentTarget.value)}
          />
        </label>
        <label>
          {t('auth.password')}
          <input
            name="password"
            type="password"
            autocomplete="current-password"
            required
            value={password.value}
            onInput={(e) => (password.value = e.currentTarget.value)}
          />
        </label>
        {error.value && (
          <p class="form-error" role="alert">
            {error.value}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy.value}>
          {busy.value ? t('auth.submitting') : t('auth.submit')}
        </button>
      </form>
    </main>
  );
}
