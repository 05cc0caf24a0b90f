import { useSignal } from '@preact/signals';
import { t } from '../../i18n/index.js';
import { deviceDb } from '../../state/db.js';
import { describeError } from '../../state/notices.js';
import { signIn } from '../../state/session.js';

/** Badge + password; the error stays on the form until the next attempt. A known officer's badge comes filled in. */
export function PasswordForm({ badge: knownBadge }: { badge?: string }) {
  const badge = useSignal(knownBadge ?? '');
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
  );
}
