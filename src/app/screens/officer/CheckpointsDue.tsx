import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { completion, type Requirement, type RequirementStatus } from '../../../domain/plan-schedule.js';
import { MANUAL_CHECKIN_REASONS } from '../../../domain/records.js';
import type { SessionUser } from '../../../domain/protocol/auth.js';
import { formatDuration, formatTime, locale, t, type MessageKey } from '../../i18n/index.js';
import { checkinsReadFor, clock, insideNow, recordManualCheckin, requirementsOf, type DueVisit, type ManualReason } from '../../state/checkins.js';
import { checkpoints } from '../../state/local-copies.js';
import { notify } from '../../state/notices.js';
import type { OpenShift } from '../../state/shift.js';
import { route } from '../../state/tracking.js';
import { useAction } from '../../state/use-action.js';
import { completionText } from '../completion-text.js';

const STATUS_KEYS: Record<RequirementStatus, MessageKey> = {
  done: 'checkin.status.done',
  due: 'checkin.status.due',
  overdue: 'checkin.status.overdue',
  missed: 'checkin.status.missed',
  upcoming: 'checkin.status.upcoming',
};
const REASON_KEYS: Record<ManualReason, MessageKey> = {
  'poor-gps': 'checkin.reason.poor-gps',
  'no-gps': 'checkin.reason.no-gps',
  indoors: 'checkin.reason.indoors',
  other: 'checkin.reason.other',
};
/** What a met visit's label says about the check-in behind it: the geofence's, a manual one awaiting the server, or the server's word. */
function statusText(r: DueVisit): string {
  if (r.status !== 'done') return t(STATUS_KEYS[r.status]);
  if (r.checkin === 'verified') return t('checkin.state.verified');
  if (r.checkin === 'manual') return t('checkin.state.manual');
  return t(STATUS_KEYS.done);
}

/** Fixes this recent back up a manual check-in as its evidence. */
const MANUAL_EVIDENCE_MS = 2 * 60_000;

/** The checkpoints this shift's plans ask for: due next with countdowns, then overdue, missed and done. */
export function CheckpointsDue({ user, shift }: { user: SessionUser; shift: OpenShift }) {
  const manualFor = useSignal<string | null>(null);
  useEffect(() => {
    const timer = setInterval(() => (clock.value = Date.now()), 15_000);
    return () => clearInterval(timer);
  }, []);

  const nameOf = (id: string) => checkpoints.value.find((c) => c.id === id)?.name[locale.value] ?? id;
  const inside = insideNow.value;
  if (checkinsReadFor.value !== shift.shiftId)
    return (
      <section class="panel" aria-label={t('checkin.title')} data-testid="checkpoints-due">
        <h2>{t('checkin.title')}</h2>
        <p class="muted">{t('checkin.reading')}</p>
      </section>
    );
  const reqs = requirementsOf(shift, user.squadId);
  return (
    <section class="panel" aria-label={t('checkin.title')} data-testid="checkpoints-due">
      <h2>{t('checkin.title')}</h2>
      {reqs.length > 0 && (
        <p class="muted" data-testid="checkin-completion">
          {completionText(completion(reqs))}
        </p>
      )}
      {inside.map((v) => (
        <p key={v.checkpointId} class="ok" role="status">
          {t('checkin.inside', {
            name: nameOf(v.checkpointId),
            s: Math.round(v.dwellS),
            need: checkpoints.value.find((c) => c.id === v.checkpointId)?.minDwellS ?? 0,
          })}
        </p>
      ))}
      {reqs.length === 0 && <p class="muted">{t('checkin.none')}</p>}
      <ul class="due-list">
        {reqs.map((r) => (
          <li
            key={`${r.planId}:${r.checkpointId}:${r.start}`}
            class={`due due-${r.status}${r.status === 'done' && r.checkin === 'manual' ? ' due-pending' : ''}`}
            data-plan={r.planId}
            data-checkpoint={r.checkpointId}
            data-status={r.status}
            data-checkin={r.checkin ?? 'none'}
          >
            <span class="due-name">{nameOf(r.checkpointId)}</span>
            <span class="due-status">{statusText(r)}</span>
            <span class="due-when muted">{when(r)}</span>
            {r.status !== 'done' && (r.checkin === 'weak' || r.checkin === 'unsupported') && (
              <span class="due-when form-error">{t(r.checkin === 'weak' ? 'checkin.state.weak' : 'checkin.state.unsupported')}</span>
            )}
            {r.status !== 'done' && r.status !== 'upcoming' && r.status !== 'missed' && (
              <button type="button" class="due-manual" onClick={() => (manualFor.value = r.checkpointId)}>
                {t('checkin.manual')}
              </button>
            )}
          </li>
        ))}
      </ul>
      {manualFor.value && (
        <ManualCheckinForm user={user} shift={shift} checkpointId={manualFor.value} name={nameOf(manualFor.value)} onDone={() => (manualFor.value = null)} />
      )}
    </section>
  );
}

function when(r: Requirement): string {
  const now = clock.value;
  if (r.needed > 1 || (r.end === null && r.status !== 'done')) return t('checkin.visits', { visits: r.visits, needed: r.needed });
  if (r.status === 'due' && r.end !== null) return t('checkin.dueIn', { duration: formatDuration(Math.ceil((r.end - now) / 60_000)) });
  if (r.status === 'upcoming') return t('checkin.startsAt', { time: formatTime(new Date(r.start).toISOString()) });
  return r.end === null ? '' : t('checkin.slot', { from: formatTime(new Date(r.start).toISOString()), to: formatTime(new Date(r.end).toISOString()) });
}

function ManualCheckinForm({
  user,
  shift,
  checkpointId,
  name,
  onDone,
}: {
  user: SessionUser;
  shift: OpenShift;
  checkpointId: string;
  name: string;
  onDone: () => void;
}) {
  const reason = useSignal<ManualReason>('poor-gps');
  const note = useSignal('');
  const { busy, run } = useAction();

  function submit(event: Event) {
    event.preventDefault();
    void run(async () => {
      const since = Date.now() - MANUAL_EVIDENCE_MS;
      const evidence = route.value.flatMap((p) => (p.kind === 'fix' && p.recordId && Date.parse(p.fixAt) >= since ? [p.recordId] : []));
      await recordManualCheckin(user.id, shift.shiftId, checkpointId, reason.value, note.value, evidence);
      notify('info', t('checkin.manualDone', { name }));
      onDone();
    });
  }

  return (
    <form class="stack manual-checkin" onSubmit={submit} aria-label={t('checkin.manualTitle', { name })}>
      <h3>{t('checkin.manualTitle', { name })}</h3>
      <p class="muted">{t('checkin.manualHint')}</p>
      <label>
        {t('checkin.reason')}
        <select value={reason.value} onChange={(e) => (reason.value = e.currentTarget.value as ManualReason)}>
          {MANUAL_CHECKIN_REASONS.map((r) => (
            <option key={r} value={r}>
              {t(REASON_KEYS[r])}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('checkin.note')}
        <input type="text" maxLength={500} value={note.value} onInput={(e) => (note.value = e.currentTarget.value)} />
      </label>
      <button type="submit" class="primary" disabled={busy.value}>
        {t('checkin.submit')}
      </button>
      <button type="button" onClick={onDone}>
        {t('checkin.cancel')}
      </button>
    </form>
  );
}
