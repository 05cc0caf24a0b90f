import { useSignal } from '@preact/signals';
import { useMemo } from 'preact/hooks';
import type { AuditShiftsResponse } from '../../../domain/protocol/track-audit.js';
import type { AuditVerdict } from '../../../domain/route-replay.js';
import { formatTime, locale, t, type MessageKey } from '../../i18n/index.js';
import { currentUser } from '../../state/session.js';
import { usePolledApi } from '../../state/use-polled-api.js';

/** What an audit looks at: one of an officer's shifts, or a time range of their records. */
export interface AuditSubject {
  officerId: string;
  badge: string;
  name: string;
  /** The shift, or null for a time range. */
  shiftId: string | null;
  startedAt: string;
  /** Null while the shift is open. */
  endedAt: string | null;
  /** The list's verdict on the shift (cached by the server), shown until its track has been read again. */
  verdict?: AuditVerdict | null;
}

/** How far back the shift list reaches when no day is chosen. */
const LIST_DAYS = 7;
/** The longest range the server audits at once (track-audit.ts). */
const MAX_RANGE_MS = 31 * 86_400_000;
const VERDICTS: readonly AuditVerdict[] = ['intact', 'gaps-explained', 'altered', 'suspicious'];

/** Each verdict in a word or two, as the list marks its shifts. */
const VERDICT_SHORT: Record<AuditVerdict, MessageKey> = {
  intact: 'audit.short.intact',
  'gaps-explained': 'audit.short.gaps-explained',
  altered: 'audit.short.altered',
  suspicious: 'audit.short.suspicious',
};

/**
 * Squad → officer → one of their shifts, or a time range of their records. The shifts come with
 * the server's verdict on each (`GET /api/audit/shifts`), so they can be filtered by it as by
 * squad, officer and day; an officer sees only their own, so they get no squad or officer choice.
 */
export function ShiftPicker({ onPick }: { onPick: (subject: AuditSubject) => void }) {
  const squadId = useSignal('');
  const officerId = useSignal('');
  const day = useSignal('');
  const verdict = useSignal('');
  const now = useMemo(() => new Date(Math.ceil(Date.now() / 60_000) * 60_000), []);
  const [from, to] = day.value ? dayWindow(day.value) : [new Date(now.getTime() - LIST_DAYS * 86_400_000), now];
  const query = new URLSearchParams({ from: from.toISOString(), to: to.toISOString() });
  if (squadId.value) query.set('squadId', squadId.value);
  if (officerId.value) query.set('officerId', officerId.value);
  if (verdict.value) query.set('verdict', verdict.value);
  const { data } = usePolledApi<AuditShiftsResponse>(`/api/audit/shifts?${query}`, 5 * 60_000, ['shift']);
  const self = currentUser.value?.role === 'officer';
  const officers = (data.value?.officers ?? []).filter((o) => !squadId.value || o.squadId === squadId.value);
  const chosen = officers.find((o) => o.id === officerId.value) ?? null;
  const shifts = data.value?.shifts ?? [];
  return (
    <div class="stack">
      <div class="audit-filters">
        {!self && (data.value?.squads.length ?? 0) > 1 && (
          <label>
            {t('audit.filter.squad')}
            <select value={squadId.value} onChange={(e) => ((squadId.value = e.currentTarget.value), (officerId.value = ''))}>
              <option value="">{t('audit.filter.all')}</option>
              {data.value?.squads.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name[locale.value]}
                </option>
              ))}
            </select>
          </label>
        )}
        {!self && (
          <label>
            {t('audit.filter.officer')}
            <select value={officerId.value} onChange={(e) => (officerId.value = e.currentTarget.value)}>
              <option value="">{t('audit.filter.all')}</option>
              {officers.map((o) => (
                <option key={o.id} value={o.id}>
                  {t('person.nameBadge', { name: o.name, badge: o.badge })}
                </option>
              ))}
            </select>
          </label>
        )}
        <label>
          {t('audit.filter.date')}
          <input type="date" value={day.value} onInput={(e) => (day.value = e.currentTarget.value)} />
        </label>
        <label>
          {t('audit.filter.verdict')}
          <select value={verdict.value} onChange={(e) => (verdict.value = e.currentTarget.value)}>
            <option value="">{t('audit.filter.all')}</option>
            {VERDICTS.map((v) => (
              <option key={v} value={v}>
                {t(VERDICT_SHORT[v])}
              </option>
            ))}
          </select>
        </label>
      </div>
      {data.value && shifts.length === 0 && (
        <p class="muted">{day.value || verdict.value || officerId.value || squadId.value ? t('audit.noMatch') : t('audit.noShifts', { days: LIST_DAYS })}</p>
      )}
      <ul class="task-list" data-testid="audit-shifts">
        {shifts.map((s) => (
          <li key={`${s.officerId}${s.shiftId}`} class="task" data-shift={s.shiftId} data-verdict={s.verdict ?? ''}>
            <button type="button" class="audit-pick" onClick={() => onPick(s)}>
              <span class="audit-pick-head">
                <strong>{t('person.nameBadge', { name: s.name, badge: s.badge })}</strong>
                <span class={`audit-chip audit-chip-${s.verdict ?? 'unknown'}`}>{t(s.verdict ? VERDICT_SHORT[s.verdict] : 'audit.short.unknown')}</span>
              </span>
              <span class="muted">
                {s.startedAt.slice(0, 10)} {formatTime(s.startedAt)}–{s.endedAt ? formatTime(s.endedAt) : t('audit.open')}
              </span>
            </button>
          </li>
        ))}
      </ul>
      <RangePicker
        officer={self ? currentUser.value && { id: currentUser.value.id, badge: currentUser.value.badge, name: currentUser.value.name } : chosen}
        onPick={onPick}
      />
    </div>
  );
}

/** A from/to range of the chosen officer's records, audited like a shift (at most 31 days, as the server bounds it). */
function RangePicker({ officer, onPick }: { officer: { id: string; badge: string; name: string } | null; onPick: (subject: AuditSubject) => void }) {
  const now = Date.now();
  const from = useSignal(localInput(new Date(now - 12 * 3600_000)));
  const to = useSignal(localInput(new Date(now)));
  const [start, end] = [new Date(from.value), new Date(to.value)];
  const valid = !Number.isNaN(start.getTime()) && !Number.isNaN(end.getTime()) && start < end && end.getTime() - start.getTime() <= MAX_RANGE_MS;
  return (
    <details class="panel audit-range" data-testid="audit-range">
      <summary>{t('audit.range')}</summary>
      <div class="stack">
        <div class="audit-filters">
          <label>
            {t('audit.range.from')}
            <input type="datetime-local" value={from.value} onInput={(e) => (from.value = e.currentTarget.value)} />
          </label>
          <label>
            {t('audit.range.to')}
            <input type="datetime-local" value={to.value} onInput={(e) => (to.value = e.currentTarget.value)} />
          </label>
        </div>
        {!officer && <p class="muted">{t('audit.range.pickOfficer')}</p>}
        {officer && !valid && <p class="form-error">{t('audit.range.invalid')}</p>}
        <button
          type="button"
          class="primary"
          disabled={!officer || !valid}
          onClick={() =>
            officer &&
            onPick({
              officerId: officer.id,
              badge: officer.badge,
              name: officer.name,
              shiftId: null,
              startedAt: start.toISOString(),
              endedAt: end.toISOString(),
            })
          }
        >
          {t('audit.range.open')}
        </button>
      </div>
    </details>
  );
}

/** A local day (YYYY-MM-DD) as the instants it begins and ends at. */
function dayWindow(day: string): [Date, Date] {
  const start = new Date(`${day}T00:00:00`);
  return [start, new Date(start.getTime() + 86_400_000 - 1)];
}

/** A datetime-local input's value for an instant, in local time, to the minute. */
function localInput(at: Date): string {
  const local = new Date(at.getTime() - at.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}
