import type { OpenShiftsResponse } from '../../../domain/protocol/shifts.js';
import { formatTime, t } from '../../i18n/index.js';
import { usePolledApi } from '../../state/use-polled-api.js';

const REFRESH_MS = 60_000;

/** The squad's open shifts, overdue ones first and flagged (a shift left open past its planned end). */
export function OpenShifts() {
  const { data, offline } = usePolledApi<OpenShiftsResponse>('/api/shifts/open', REFRESH_MS, ['shift']);
  const list = data.value?.shifts ?? null;
  return (
    <section class="panel" aria-label={t('leader.openShifts')} data-testid="open-shifts">
      <h2>{t('leader.openShifts')}</h2>
      {offline.value && <p class="form-error">{t('leader.needsNetwork')}</p>}
      {list && list.length === 0 && <p class="muted">{t('leader.none')}</p>}
      <ul class="rejected-list">
        {list?.map((s) => (
          <li key={s.shiftId} data-overdue={s.overdue ? 'yes' : 'no'}>
            <strong>{t('person.nameBadge', { name: s.name, badge: s.badge })}</strong> {s.overdue && <span class="badge-bad">{t('leader.overdue')}</span>}
            <div class="muted">
              {t('leader.since', { time: formatTime(s.startedAt) })}
              {s.plannedEndAt && ` · ${t('leader.plannedEnd', { time: formatTime(s.plannedEndAt) })}`}
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
