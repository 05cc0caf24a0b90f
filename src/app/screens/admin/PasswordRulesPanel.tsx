import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import type { PasswordRules } from '../../../domain/password-rules.js';
import { t } from '../../i18n/index.js';
import { reportError } from '../../state/notices.js';
import { useAction } from '../../state/use-action.js';
import { loadPasswordRules, savePasswordRules } from './accounts-store.js';

/** The unit's password rules: minimum length, not the badge, not a common password. */
export function PasswordRulesPanel() {
  const rules = useSignal<PasswordRules | null>(null);
  const saved = useSignal(false);
  const action = useAction({ inline: true });
  useEffect(() => {
    loadPasswordRules().then((r) => (rules.value = r), reportError);
  }, []);
  const r = rules.value;
  if (!r) return null;
  const set = (patch: Partial<PasswordRules>) => {
    saved.value = false;
    rules.value = { ...r, ...patch };
  };
  function submit(event: Event) {
    event.preventDefault();
    const chosen = rules.value;
    if (!chosen) return;
    void action.run(async () => {
      rules.value = await savePasswordRules(chosen);
      saved.value = true;
    });
  }
  return (
    <section class="panel stack" aria-labelledby="rules-title" data-testid="password-rules">
      <h2 id="rules-title">{t('accounts.rules')}</h2>
      <form class="stack" onSubmit={submit}>
        <label>
          {t('accounts.rules.minLength')}
          <input
            type="number"
            name="min-length"
            min={8}
            max={64}
            required
            value={r.minLength}
            onInput={(e) => set({ minLength: Number(e.currentTarget.value) })}
          />
        </label>
        <label class="check">
          <input type="checkbox" checked={r.notBadge} onChange={(e) => set({ notBadge: e.currentTarget.checked })} /> {t('password.rule.notBadge')}
        </label>
        <label class="check">
          <input type="checkbox" checked={r.notCommon} onChange={(e) => set({ notCommon: e.currentTarget.checked })} /> {t('password.rule.notCommon')}
        </label>
        {action.error.value && (
          <p class="form-error" role="alert">
            {action.error.value}
          </p>
        )}
        {saved.value && <p role="status">{t('accounts.rules.saved')}</p>}
        <button type="submit" class="primary" disabled={action.busy.value}>
          {t('admin.save')}
        </button>
      </form>
    </section>
  );
}
