import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { AUDIT_KINDS, type AuditEventView, type AuditKind, type AuditResponse } from '../../../domain/protocol/accounts.js';
import { api } from '../../../store/api.js';
import { formatDateTime, t } from '../../i18n/index.js';
import { useAction } from '../../state/use-action.js';

/** The unit's audit log: filtered by kind, badge and day range, listed newest first, downloadable as CSV. */
export function AuditPanel() {
  const kind = useSignal<AuditKind | ''>('');
  const badge = useSignal('');
  const from = useSignal('');
  const to = useSignal('');
  const events = useSignal<readonly AuditEventView[] | null>(null);
  const action = useAction({ inline: true });

  const query = () => {
    const params = new URLSearchParams();
    if (kind.value) params.set('kind', kind.value);
    if (badge.value.trim()) params.set('badge', badge.value.trim());
    // Whole local days, as the date inputs show them.
    if (from.value) params.set('from', new Date(`${from.value}T00:00:00`).toISOString());
    if (to.value) params.set('to', new Date(`${to.value}T23:59:59.999`).toISOString());
    return params.toString();
  };
  const load = () => void action.run(async () => (events.value = (await api<AuditResponse>(`/api/admin/audit?${query()}`)).events));
  useEffect(load, []);

  return (
    <section class="panel stack" aria-labelledby="audit-title" data-testid="audit-panel">
      <h2 id="audit-title">{t('auditLog.title')}</h2>
      <form
        class="stack audit-filters"
        onSubmit={(e) => {
          e.preventDefault();
          load();
        }}
      >
        <label>
          {t('auditLog.kind')}
          <select name="kind" value={kind.value} onChange={(e) => (kind.value = e.currentTarget.value as AuditKind | '')}>
            <option value="">{t('incidents.all')}</option>
            {AUDIT_KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`auditLog.kind.${k}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('auth.badge')}
          <input name="badge" value={badge.value} onInput={(e) => (badge.value = e.currentTarget.value)} />
        </label>
        <div class="row">
          <label>
            {t('auditLog.from')}
            <input type="date" name="from" value={from.value} onInput={(e) => (from.value = e.currentTarget.value)} />
          </label>
          <label>
            {t('auditLog.to')}
            <input type="date" name="to" value={to.value} onInput={(e) => (to.value = e.currentTarget.value)} />
          </label>
        </div>
        <div class="row">
          <button type="submit" class="primary" disabled={action.busy.value}>
            {t('auditLog.show')}
          </button>
          <a class="button" href={`/api/admin/audit.csv?${query()}`} download="audit.csv">
            {t('auditLog.csv')}
          </a>
        </div>
      </form>
      {action.error.value && (
        <p class="form-error" role="alert">
          {action.error.value}
        </p>
      )}
      {events.value?.length === 0 && <p class="muted">{t('auditLog.none')}</p>}
      <ul class="rejected-list audit-events">
        {events.value?.map((e) => (
          <li key={e.id} data-kind={e.kind} data-outcome={e.outcome}>
            <strong>{t(`auditLog.kind.${e.kind}`)}</strong> {e.outcome === 'denied' && <span class="badge-bad">{t('auditLog.denied')}</span>}
            <div class="muted">
              {formatDateTime(e.at)} · {e.name ?? '—'} {e.badge && `(${e.badge})`}
              {e.deviceId && ` · ${t('auditLog.device')} ${e.deviceId.slice(-8)}`}
            </div>
            {e.detail && <div class="muted audit-detail">{e.detail}</div>}
          </li>
        ))}
      </ul>
    </section>
  );
}
