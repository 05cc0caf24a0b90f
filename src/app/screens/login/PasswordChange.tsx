import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import type { PasswordProblem, PasswordRules } from '../../../domain/password-rules.js';
import type { LoginResponse } from '../../../domain/protocol/auth.js';
import type { PasswordRulesResponse } from '../../../domain/protocol/accounts.js';
import { api, ApiError } from '../../../store/api.js';
import { saveSessionUser } from '../../../store/session-store.js';
import { t } from '../../i18n/index.js';
import { deviceDb } from '../../state/db.js';
import { openWithPassword } from '../../state/device-lock.js';
import { describeError } from '../../state/notices.js';
import { currentUser, takeOneTimePassword } from '../../state/session.js';

const PROBLEM_KEYS = {
  'too-short': 'password.problem.tooShort',
  'too-long': 'password.problem.tooLong',
  'is-badge': 'password.problem.isBadge',
  common: 'password.problem.common',
} as const;

/**
 * Choosing a new password: forced after a one-time password (before anything else shows), or the
 * user's own change. The unit's rules are listed, and every rule a refused password broke is named.
 */
export function PasswordChange({ forced, onDone }: { forced: boolean; onDone?: () => void }) {
  // The one-time password was typed a moment ago on the sign-in form: not asked for twice.
  const current = useSignal(forced ? takeOneTimePassword() : '');
  const next = useSignal('');
  const repeat = useSignal('');
  const rules = useSignal<PasswordRules | null>(null);
  const problems = useSignal<readonly PasswordProblem[]>([]);
  const error = useSignal<string | null>(null);
  const busy = useSignal(false);
  useEffect(() => {
    api<PasswordRulesResponse>('/api/auth/password-rules').then(
      (r) => (rules.value = r.rules),
      (failure: unknown) => (error.value = describeError(failure)),
    );
  }, []);

  async function submit(event: Event) {
    event.preventDefault();
    error.value = null;
    problems.value = [];
    if (next.value !== repeat.value) {
      error.value = t('password.mismatch');
      return;
    }
    busy.value = true;
    try {
      const { user } = await api<LoginResponse>('/api/auth/password', { method: 'POST', body: { current: current.value, next: next.value } });
      const db = await deviceDb;
      if (forced) {
        // Only now does the server release the device's recovery key: the device opens (or asks for its PIN first).
        currentUser.value = await openWithPassword(db, user);
      } else {
        await saveSessionUser(db, user, new Date());
        currentUser.value = user;
      }
      onDone?.();
    } catch (failure) {
      if (failure instanceof ApiError && failure.body.passwordProblems) problems.value = failure.body.passwordProblems as PasswordProblem[];
      else error.value = describeError(failure);
    } finally {
      busy.value = false;
    }
  }

  const r = rules.value;
  return (
    <section class="panel stack password-change" data-testid="password-change" aria-labelledby="password-change-title">
      <h2 id="password-change-title">{t(forced ? 'password.forcedTitle' : 'password.title')}</h2>
      {forced && <p>{t('password.forcedHint')}</p>}
      {r && (
        <ul class="muted password-rules">
          <li>{t('password.rule.minLength', { n: r.minLength })}</li>
          {r.notBadge && <li>{t('password.rule.notBadge')}</li>}
          {r.notCommon && <li>{t('password.rule.notCommon')}</li>}
        </ul>
      )}
      <form class="stack" onSubmit={submit} aria-busy={busy.value}>
        <label>
          {t(forced ? 'password.oneTime' : 'password.current')}
          <input
            type="password"
            name="current"
            autocomplete="current-password"
            required
            value={current.value}
            onInput={(e) => (current.value = e.currentTarget.value)}
          />
        </label>
        <label>
          {t('password.next')}
          <input type="password" name="next" autocomplete="new-password" required value={next.value} onInput={(e) => (next.value = e.currentTarget.value)} />
        </label>
        <label>
          {t('password.repeat')}
          <input
            type="password"
            name="repeat"
            autocomplete="new-password"
            required
            value={repeat.value}
            onInput={(e) => (repeat.value = e.currentTarget.value)}
          />
        </label>
        {problems.value.length > 0 && (
          <ul class="form-error" role="alert">
            {problems.value.map((p) => (
              <li key={p}>{t(PROBLEM_KEYS[p], { n: r?.minLength ?? 10 })}</li>
            ))}
          </ul>
        )}
        {error.value && (
          <p class="form-error" role="alert">
            {error.value}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy.value}>
          {t('password.submit')}
        </button>
      </form>
    </section>
  );
}
