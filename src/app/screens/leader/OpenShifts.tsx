import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import type { OpenShiftsResponse, OpenShiftSummary } from '../../../domain/protocol.js';
import { api, OfflineError } from '../../../store/api.js';
import { formatTime, t } from '../../i18n/index.js';
import { reportError } from '../../state/notices.js';

const REFRESH_MS = 60_000;

/** The squad's open shifts, overdue ones first and flagged (a shift left open past its planned end). */
export function OpenShifts() {
  const shifts = useSignal<OpenShiftSummary[] | null>(null);
  const offline = useSignal(false);
  useEffect(() => {
    const controller = new AbortController();
    const load = () =>
      api<OpenShiftsResponse>('/api/shifts/open', { signal: controller.signal }).then(
        (response) => {
          shifts.value = response.shifts;
          offline.value = false;
        },
        (error: unknown) => {
          if (error instanceof OfflineError) offline.value = true;
          else if (!controller.signal.aborted) reportError(error);
        },
      );
    void load();
    const timer = setInterval(() => document.visibilityState === 'visible' && void load(), REFRESH_MS);
    return () => {
      controller.abort();
      clearInterval(timer);
    };
  }, []);

  const list = shifts.value;
  return (
    <section class="panel" aria-label={t('leader.openShifts')} data-testid="open-shifts">
      <h2>{t('leader.openShifts')}</h2>
      {offline.value && <p class="form-error">{t('leader.needsNetwork')}</p>}
      {list && list.length === 0 && <p class="muted">{t('leader.none')}</p>}
      <ul class="rejected-list">
        {list?.map((s) => (
          <li key={s.shiftId} data-overdue={s.overdue ? 'yes' : 'no'}>
            <strong>
              {s.name}（{s.badge}）
            </strong>{' '}
            {s.overdue && <span class="badge-bad">{t('leader.overdue')}</span>}
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
