import { useSignal } from '@preact/signals';
import { PASSPHRASE_MIN_LENGTH, passphraseLength, secretAcceptable } from '../../../domain/protocol/device-lock.js';
import { t } from '../../i18n/index.js';
import { deviceDb } from '../../state/db.js';
import { choosePin, type LockView } from '../../state/device-lock.js';
import { describeError } from '../../state/notices.js';
import { resumeSession } from '../../state/session.js';

/** After a password sign-in: the officer chooses the PIN (or the unit's passphrase) that opens this device offline. */
export function PinSetup({ view }: { view: Extract<LockView, { kind: 'set-pin' }> }) {
  const pin = useSignal('');
  const again = useSignal('');
  const busy = useSignal(false);
  const error = useSignal<string | null>(null);
  const pinKind = view.secret === 'pin';

  async function submit(event: Event) {
    event.preventDefault();
    error.value = null;
    if (!secretAcceptable(pin.value, view.secret)) {
      error.value = t(pinKind ? 'pin.tooShort' : 'pin.tooShortPassphrase');
      return;
    }
    if (pin.value !== again.value) {
      error.value = t('pin.mismatch');
      return;
    }
    busy.value = true;
    try {
      const db = await deviceDb;
      await resumeSession(db, await choosePin(db, view, pin.value));
    } catch (failure) {
      console.error(failure);
      error.value = describeError(failure);
    } finally {
      busy.value = false;
    }
  }

  return (
    <main class="login" data-testid="pin-setup">
      <h1>{t(pinKind ? 'pin.title' : 'pin.titlePassphrase')}</h1>
      {view.replacing && (
        <p class="pin-switch" role="status">
          {t(pinKind ? 'pin.switchToPin' : 'pin.switchToPassphrase')}
        </p>
      )}
      <p class="muted">{t(pinKind ? 'pin.explain' : 'pin.explainPassphrase')}</p>
      <form onSubmit={submit} class="stack" aria-busy={busy.value}>
        <p id="pin-rule">{t(pinKind ? 'pin.rulePin' : 'pin.rulePassphrase')}</p>
        <label>
          {t(pinKind ? 'pin.new' : 'pin.newPassphrase')}
          <input
            name="new-pin"
            type="password"
            autocomplete="new-password"
            inputMode={pinKind ? 'numeric' : 'text'}
            aria-describedby="pin-rule"
            required
            value={pin.value}
            onInput={(e) => (pin.value = e.currentTarget.value)}
          />
        </label>
        {!pinKind && (
          <p class="pin-count muted" data-testid="pin-count" data-ok={passphraseLength(pin.value) >= PASSPHRASE_MIN_LENGTH}>
            {t('pin.count', { n: passphraseLength(pin.value), min: PASSPHRASE_MIN_LENGTH })}
          </p>
        )}
        <label>
          {t('pin.confirm')}
          <input
            name="confirm-pin"
            type="password"
            autocomplete="new-password"
            inputMode={pinKind ? 'numeric' : 'text'}
            required
            value={again.value}
            onInput={(e) => (again.value = e.currentTarget.value)}
          />
        </label>
        {error.value && (
          <p class="form-error" role="alert">
            {error.value}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy.value}>
          {busy.value ? t('pin.saving') : t('pin.save')}
        </button>
      </form>
    </main>
  );
}
