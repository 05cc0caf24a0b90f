import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import type { SessionUser } from '../../../domain/protocol/auth.js';
import { reporting, shownFix, type SquadOfficer } from '../../../domain/protocol/squad.js';
import type { TrackingReason } from '../../../domain/patrol-session.js';
import type { TaskState } from '../../../domain/tasks.js';
import { formatDuration, formatTime, locale, t, type MessageKey } from '../../i18n/index.js';
import { LazySquadMap } from '../../map/LazyMap.js';
import { fixAge } from '../../map/position-marker.js';
import { followSquad, serverNow, squadLive, squadLiveOffline } from '../../state/squad-live.js';
import { STATE_KEYS } from '../task-text.js';
import { SosAlarm } from './SosAlarm.js';

/** Ages and silences move on by the second. */
function useNow(): number {
  const now = useSignal(serverNow());
  useEffect(() => {
    const timer = setInterval(() => (now.value = serverNow()), 1000);
    return () => clearInterval(timer);
  }, []);
  return now.value;
}

const reasonText = (reason: string) => t(`reason.${reason as TrackingReason}` as MessageKey);

/** One officer's line: the fix and its age, tracking, silence and why, task, SOS. */
function OfficerRow({ officer: o, now }: { officer: SquadOfficer; now: number }) {
  const p = shownFix(o);
  const age = p ? fixAge(Date.parse(p.fixAt), now) : null;
  const { lastHeard, silent, stale } = reporting(o, now);
  const paused = o.tracking && o.tracking.state !== 'on' ? o.tracking : null;
  const sos = o.sos;
  const sosState = !sos ? 'none' : sos.ackedAt ? 'acked' : sos.cancelledAt ? 'cancelled' : 'raised';
  return (
    <li
      class={`squad-officer${stale ? ' stale' : ''}${sosState === 'raised' || sosState === 'cancelled' ? ' in-sos' : ''}`}
      data-badge={o.badge}
      data-seq={o.position?.seq ?? ''}
      data-source={p?.native ? 'native' : 'signed'}
      data-lat={p ? p.lat.toFixed(6) : ''}
      data-lon={p ? p.lon.toFixed(6) : ''}
      data-stale={stale ? 'yes' : 'no'}
      data-silent={silent ? 'yes' : 'no'}
      data-sos={sosState}
    >
      <strong>{t('person.nameBadge', { name: o.name, badge: o.badge })}</strong>
      {!o.shift && <span class="muted"> · {t('squad.offShift')}</span>}
      <div class="squad-fix" data-testid="squad-fix-age">
        {age ? t(`map.positionAge.${age.unit}`, { n: age.n }) : t('squad.noFix')}
        {p && ` · ±${Math.round(p.accuracy)} m`}
        {p?.native && ` · ${t('squad.nativeFix')}`}
      </div>
      {o.tracking?.state === 'on' && !silent && <div class="ok">{t('tracking.on')}</div>}
      {/* Silent, the pause is given as the likely reason below instead. */}
      {paused && !silent && (
        <div class="form-error">
          {paused.state === 'off' ? t('squad.trackingOff', { reason: reasonText(paused.reason) }) : t('tracking.paused', { reason: reasonText(paused.reason) })}
        </div>
      )}
      {silent && (
        <div class="form-error" data-testid="squad-silent">
          {lastHeard
            ? t('squad.silent', { duration: formatDuration((now - Date.parse(lastHeard)) / 60_000), time: formatTime(lastHeard) })
            : t('squad.silentUnknown')}
          <div class="muted">{paused ? t('squad.silentWhy', { reason: reasonText(paused.reason) }) : t('squad.silentUnknown')}</div>
        </div>
      )}
      {!silent && lastHeard && <div class="muted">{t('squad.heard', { time: formatTime(lastHeard) })}</div>}
      {o.task && <div>{t('squad.task', { title: o.task.title, state: t(STATE_KEYS[o.task.state as TaskState] ?? 'task.state.open') })}</div>}
      {sos && sosState !== 'none' && (
        <div class={sosState === 'raised' ? 'badge-bad' : 'muted'} data-testid="squad-sos">
          {sosState === 'raised' && t('sos.active')}
          {sosState === 'cancelled' && sos.cancelledAt && t('sos.cancelledAt', { time: formatTime(sos.cancelledAt) })}
          {sosState === 'acked' && sos.ackedBy && sos.ackedAt && t('sos.ackedBy', { name: sos.ackedBy.name, time: formatTime(sos.ackedAt) })}
        </div>
      )}
    </li>
  );
}

/**
 * The leader's (own squad) and supervisor's (whole unit, with a squad filter) live picture: a map
 * and a list of the officers on patrol, moved by the live channel as fixes arrive, and the SOS
 * alarm above everything.
 */
export function LiveSquad({ user }: { user: SessionUser }) {
  const filter = useSignal('');
  const path = filter.value ? `/api/squad/live?squadId=${encodeURIComponent(filter.value)}` : '/api/squad/live';
  useEffect(() => followSquad(path), [path]);
  const now = useNow();
  const live = squadLive.value;
  const officers = live?.officers ?? [];
  return (
    <section class="panel live-squad" aria-label={t('squad.title')} data-testid="live-squad">
      <SosAlarm />
      <h2>{t('squad.title')}</h2>
      {user.role === 'supervisor' && live && live.squads.length > 1 && (
        <label>
          {t('squad.filter')}
          <select value={filter.value} onChange={(event) => (filter.value = (event.target as HTMLSelectElement).value)}>
            <option value="">{t('squad.all')}</option>
            {live.squads.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name[locale.value]}
              </option>
            ))}
          </select>
        </label>
      )}
      {squadLiveOffline.value && <p class="form-error">{t('leader.needsNetwork')}</p>}
      <LazySquadMap officers={officers} now={now} />
      {officers.some((o) => shownFix(o)?.native) && (
        <p class="muted squad-legend" data-testid="squad-legend">
          <span class="legend-ring" aria-hidden="true" />
          <span>{t('squad.legendNative')}</span>
        </p>
      )}
      {live && officers.length === 0 && <p class="muted">{t('squad.none')}</p>}
      <ul class="rejected-list squad-list">
        {officers.map((o) => (
          <OfficerRow key={o.officerId} officer={o} now={now} />
        ))}
      </ul>
    </section>
  );
}
