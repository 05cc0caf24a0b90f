import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import type { SessionUser } from '../../../domain/protocol.js';
import { formatTime, t } from '../../i18n/index.js';
import { notify, reportError } from '../../state/notices.js';
import { endShift, loadShift, openShift, reportPosition, startShift } from '../../state/shift.js';
import { RoleHome } from '../home/RoleHome.js';

/** The officer's home: shift on/off and on-demand position reports; the rest is listed as coming. */
export function OfficerScreen({ user }: { user: SessionUser }) {
  const busy = useSignal(false);
  const lastReport = useSignal<string | null>(null);
  useEffect(() => {
    loadShift(user.id).catch(reportError);
  }, [user.id]);

  const act = (action: () => Promise<unknown>) => async () => {
    busy.value = true;
    try {
      await action();
    } catch (error) {
      if (isGeolocationError(error)) notify('error', error.code === 1 ? t('geo.denied') : t('geo.unavailable', { message: error.message }));
      else reportError(error);
    } finally {
      busy.value = false;
    }
  };

  const shift = openShift.value;
  return (
    <RoleHome user={user}>
      <section class="panel stack" aria-label={t('home.officer.title')}>
        <p data-testid="shift-state">{shift ? t('shift.open', { time: formatTime(shift.startedAt) }) : t('shift.none')}</p>
        {shift ? (
          <>
            <button
              type="button"
              class="primary"
              disabled={busy.value}
              onClick={act(async () => {
                const fix = await reportPosition(user);
                lastReport.value = t('shift.positionSaved', { accuracy: Math.round(fix.coords.accuracy) });
              })}
            >
              {busy.value ? t('shift.locating') : t('shift.reportPosition')}
            </button>
            {lastReport.value && (
              <p class="muted" role="status" data-testid="last-report">
                {lastReport.value}
              </p>
            )}
            <button type="button" disabled={busy.value} onClick={act(() => endShift(user))}>
              {t('shift.end')}
            </button>
          </>
        ) : (
          <button type="button" class="primary" disabled={busy.value} onClick={act(() => startShift(user))}>
            {t('shift.start')}
          </button>
        )}
      </section>
    </RoleHome>
  );
}

function isGeolocationError(error: unknown): error is GeolocationPositionError {
  return typeof GeolocationPositionError !== 'undefined' && error instanceof GeolocationPositionError;
}
