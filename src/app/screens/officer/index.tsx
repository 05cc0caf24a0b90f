import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import type { SessionUser } from '../../../domain/protocol/auth.js';
import { formatDuration, formatTime, t, type MessageKey } from '../../i18n/index.js';
import { online } from '../../state/network.js';
import { notify, reportError } from '../../state/notices.js';
import { loadShift, openShift, reportPosition, shiftSummary } from '../../state/shift.js';
import type { TrackingReason } from '../../../domain/patrol-session.js';
import { patrolPending } from '../../state/patrol.js';
import { routeStats, tracking } from '../../state/tracking.js';
import { LazyOfficerMap } from '../../map/LazyMap.js';
import { RoleHome } from '../home/RoleHome.js';
import { CheckpointsDue } from './CheckpointsDue.js';
import { LazyIncidentForm } from './LazyIncidentForm.js';
import { MyIncidents } from './MyIncidents.js';
import { MyTasks } from './MyTasks.js';
import { NativeTrackers } from './NativeTrackers.js';
import { MyRouteAudit } from './MyRouteAudit.js';
import { RouteViews } from './RouteViews.js';
import { ShiftEndForm } from './ShiftEndForm.js';
import { ShiftSummary } from './ShiftSummary.js';
import { ShiftStartForm } from './ShiftStartForm.js';
import { SosControl } from './SosControl.js';

const REASON_KEYS: Record<TrackingReason, MessageKey> = {
  'shift-start': 'reason.shift-start',
  'shift-end': 'reason.shift-end',
  'page-visible': 'reason.page-visible',
  'page-hidden': 'reason.page-hidden',
  'wake-lock-lost': 'reason.wake-lock-lost',
  'permission-denied': 'reason.permission-denied',
  'position-unavailable': 'reason.position-unavailable',
  'no-fix': 'reason.no-fix',
  'fix-resumed': 'reason.fix-resumed',
};

/** The officer's home: register and end a shift, see the route being recorded, report a position on demand. */
export function OfficerScreen({ user }: { user: SessionUser }) {
  const form = useSignal<'start' | 'end' | 'incident' | null>(null);
  const busy = useSignal(false);
  const lastReport = useSignal<string | null>(null);
  useEffect(() => {
    loadShift(user.id).catch(reportError);
  }, [user.id]);
  const shift = openShift.value;

  if (form.value === 'start' && !shift)
    return (
      <RoleHome user={user}>
        <ShiftStartForm
          user={user}
          onDone={() => {
            form.value = null;
            // The form was long and its button at the bottom: show the tracking that just began,
            // once the home has replaced the form (a frame later), not the page's old offset.
            requestAnimationFrame(() => scrollTo({ top: 0 }));
          }}
        />
      </RoleHome>
    );
  if (form.value === 'end' && shift)
    return (
      <RoleHome user={user}>
        <ShiftEndForm user={user} shift={shift} onDone={() => (form.value = null)} />
      </RoleHome>
    );

  if (form.value === 'incident')
    return (
      <RoleHome user={user}>
        <LazyIncidentForm
          user={user}
          onDone={() => {
            form.value = null;
            requestAnimationFrame(() => scrollTo({ top: 0 }));
          }}
        />
      </RoleHome>
    );

  async function report() {
    busy.value = true;
    try {
      const fix = await reportPosition(user);
      // Online the outbox sends it at once; only offline does it wait for the network.
      lastReport.value = t(online.value ? 'shift.positionSending' : 'shift.positionSaved', { accuracy: Math.round(fix.coords.accuracy) });
    } catch (error) {
      if (isGeolocationError(error)) notify('error', error.code === 1 ? t('geo.denied') : t('geo.unavailable', { message: error.message }));
      else reportError(error);
    } finally {
      busy.value = false;
    }
  }

  const status = tracking.value;
  const stats = routeStats.value;
  const overdue = shift?.plannedEndAt && Date.parse(shift.plannedEndAt) < Date.now();
  return (
    <RoleHome user={user}>
      {!shift && shiftSummary.value && <ShiftSummary user={user} summary={shiftSummary.value} />}
      <LazyOfficerMap />
      <section class="panel stack" aria-label={t('home.officer.title')}>
        <p data-testid="shift-state">{shift ? t('shift.open', { time: formatTime(shift.startedAt) }) : t('shift.none')}</p>
        {shift ? (
          <>
            {overdue && <p class="form-error">{t('shift.overdue', { time: formatTime(shift.plannedEndAt ?? '') })}</p>}
            {/* data-pending: patrol events not yet on disk (a signal bound straight to the attribute, no re-render). */}
            <p data-testid="tracking-state" data-pending={patrolPending} class={status?.state === 'on' ? 'ok' : 'form-error'}>
              {status?.state === 'on' ? t('tracking.on') : status ? t('tracking.paused', { reason: t(REASON_KEYS[status.reason]) }) : ''}
            </p>
            {status?.reason === 'wake-lock-lost' && <p class="form-error">{t('tracking.wakeLockLost')}</p>}
            <p class="stats" data-testid="route-stats" data-distance-m={Math.round(stats.distanceM)} data-fixes={stats.fixes}>
              {t('stats.distance', { km: (stats.distanceM / 1000).toFixed(2) })} ·{' '}
              {t('stats.duration', { duration: formatDuration(Math.floor(stats.durationS / 60)) })} · {t('stats.fixes', { n: stats.fixes })}
            </p>
            <p class="muted">{t('tracking.hint')}</p>
            <button type="button" class="primary" disabled={busy.value} onClick={report}>
              {busy.value ? t('shift.locating') : t('shift.reportPosition')}
            </button>
            {lastReport.value && (
              <p class="muted" role="status" data-testid="last-report">
                {lastReport.value}
              </p>
            )}
            <button type="button" onClick={() => (form.value = 'end')}>
              {t('shift.end')}
            </button>
          </>
        ) : (
          <button type="button" class="primary" onClick={() => (form.value = 'start')}>
            {t('shift.start')}
          </button>
        )}
      </section>
      <button type="button" class="primary incident-report" data-testid="report-incident" onClick={() => (form.value = 'incident')}>
        {t('incident.report')}
      </button>
      <MyIncidents user={user} />
      <MyTasks user={user} />
      {shift && <CheckpointsDue user={user} shift={shift} />}
      <NativeTrackers />
      <MyRouteAudit />
      <RouteViews />
      <SosControl user={user} />
    </RoleHome>
  );
}

function isGeolocationError(error: unknown): error is GeolocationPositionError {
  return typeof GeolocationPositionError !== 'undefined' && error instanceof GeolocationPositionError;
}
