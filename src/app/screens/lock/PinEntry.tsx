import { useSignal } from '@preact/signals';
import type { SecretKind } from '../../../domain/protocol/device-lock.js';
import { t } from '../../i18n/index.js';
import { deviceDb } from '../../state/db.js';
import { enterPin } from '../../state/device-lock.js';
import { describeError } from '../../state/notices.js';
import { currentUser, resumeSession } from '../../state/session.js';

/** The PIN (or passphrase) field of the lock screen, with the count of tries left after a wrong one. */
export function PinEntry({ officerId, secret }: { officerId: string; secret: SecretKind }) {
  const pin = useSignal('');
  const busy = useSignal(false);
  const error = useSignal<string | null>(null);

  async function submit(event: Event) {
    event.preventDefault();
    busy.value = true;
    error.value = null;
    try {
      const db = await deviceDb;
      const outcome = await enterPin(db, officerId, pin.value);
      if (outcome.kind === 'wrong') error.value = t(secret === 'pin' ? 'lock.wrong' : 'lock.wrongPassphrase', { n: outcome.left });
      // The key left memory with the PIN's copy: nothing runs until a password sign-in.
      else if (outcome.kind === 'wiped') currentUser.value = null;
      else if (outcome.user) await resumeSession(db, outcome.user);
    } catch (failure) {
      console.error(failure);
      error.value = describeError(failure);
    } finally {
      pin.value = '';
      busy.value = false;
    }
  }

  return (
    <form onSubmit={submit} class="stack" aria-busy={busy.value}>
      <label>
        {t(secret === 'pin' ? 'lock.pin' : 'lock.passphrase')}
        <input
          name="pin"
          type="password"
          autocomplete="off"
          inputMode={secret === 'pin' ? 'numeric' : 'text'}
          required
          value={pin.value}
          onInput={(e) => (pin.value = e.currentTarget.value)}
        />
      </label>
      {error.value && (
        <p class="form-error" role="alert" data-testid="pin-error">
          {error.value}
        </p>
      )}
      <button type="submit" class="primary" disabled={busy.value}>
        {busy.value ? t('lock.unlocking') : t('lock.unlock')}
      </button>
    </form>
  );
}
