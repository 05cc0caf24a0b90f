import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { SESSION_HOURS, type LockPolicy, type LockPolicyResponse } from '../../../domain/protocol/device-lock.js';
import { api } from '../../../store/api.js';
import { t } from '../../i18n/index.js';
import { useAction } from '../../state/use-action.js';

/** The unit's screen lock and encryption settings (issue 16): idle minutes, PIN or passphrase, password again after hours. */
export function LockPolicyPanel() {
  const policy = useSignal<LockPolicy | null>(null);
  const saved = useSignal(false);
  const loading = useAction({ inline: true });
  const saving = useAction({ inline: true });
  useEffect(() => {
    void loading.run(async () => {
      policy.value = (await api<LockPolicyResponse>('/api/lock-policy')).policy;
    });
  }, []);

  const current = policy.value;
  const change = (patch: Partial<LockPolicy>) => {
    if (current) policy.value = { ...current, ...patch };
    saved.value = false;
  };
  const submit = (event: Event) => {
    event.preventDefault();
    if (!current) return;
    void saving.run(async () => {
      policy.value = (await api<LockPolicyResponse>('/api/lock-policy', { method: 'PUT', body: current })).policy;
      saved.value = true;
    });
  };

  return (
    <section class="panel lock-policy" data-testid="lock-policy">
      <h2>{t('policy.title')}</h2>
      {loading.error.value && (
        <p class="form-error" role="alert">
          {loading.error.value}
        </p>
      )}
      {current && (
        <form class="stack" onSubmit={submit} aria-busy={saving.busy.value}>
          <label>
            {t('policy.idle')}
            <input
              name="idle-minutes"
              type="number"
              inputMode="numeric"
              min={1}
              max={240}
              required
              value={current.idleMinutes}
              onInput={(e) => change({ idleMinutes: e.currentTarget.valueAsNumber })}
            />
          </label>
          <fieldset>
            <legend>{t('policy.secret')}</legend>
            {(['pin', 'passphrase'] as const).map((kind) => (
              <label key={kind} class="check">
                <input type="radio" name="secret" checked={current.secret === kind} onChange={() => change({ secret: kind })} />
                {t(kind === 'pin' ? 'policy.secret.pin' : 'policy.secret.passphrase')}
              </label>
            ))}
          </fieldset>
          <label>
            {t('policy.resign')}
            <input
              name="resign-hours"
              type="number"
              inputMode="numeric"
              min={1}
              max={SESSION_HOURS}
              required
              value={current.resignHours}
              onInput={(e) => change({ resignHours: e.currentTarget.valueAsNumber })}
            />
          </label>
          <p class="muted">{t('policy.note')}</p>
          {saving.error.value && (
            <p class="form-error" role="alert">
              {saving.error.value}
            </p>
          )}
          {saved.value && <p role="status">{t('policy.saved')}</p>}
          <button type="submit" class="primary" disabled={saving.busy.value}>
            {t('policy.save')}
          </button>
        </form>
      )}
    </section>
  );
}
