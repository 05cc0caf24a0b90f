import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { INCIDENT_UPDATE_STATES } from '../../../domain/incidents.js';
import type { SessionUser } from '../../../domain/protocol/auth.js';
import type { IncidentEntry } from '../../../store/schema.js';
import { formatTime, t } from '../../i18n/index.js';
import { loadIncidents, myIncidents, photosWaiting, stateOf, updateIncident } from '../../state/incidents.js';
import { online } from '../../state/network.js';
import { reportError } from '../../state/notices.js';
import { syncStatus } from '../../state/sync.js';
import { useAction } from '../../state/use-action.js';
import { categoryName, INCIDENT_STATE_KEYS } from '../incident-text.js';

type UpdateState = (typeof INCIDENT_UPDATE_STATES)[number];

/** The officer's incidents (我的警情) with where each stands, and a way to move one along. */
export function MyIncidents({ user }: { user: SessionUser }) {
  const open = useSignal<string | null>(null);
  // Re-read after every sync: photos that went up leave the device, and the waiting count drops.
  const { lastSyncAt, waiting, syncing } = syncStatus.value;
  useEffect(() => {
    loadIncidents(user.id).catch(reportError);
  }, [user.id, lastSyncAt, waiting]);
  const incidents = myIncidents.value;
  if (incidents.length === 0 && photosWaiting.value === 0) return null;
  return (
    <section class="panel stack" aria-label={t('incident.mine')} data-testid="my-incidents">
      <h2>{t('incident.mine')}</h2>
      {photosWaiting.value > 0 && (
        <p class="muted" role="status" data-testid="photos-waiting">
          {t(syncing && online.value ? 'incident.photos.uploading' : 'incident.photos.waiting', { n: photosWaiting.value })}
        </p>
      )}
      <ul class="task-list">
        {incidents.map((incident) => (
          <IncidentItem
            key={incident.incidentId}
            user={user}
            incident={incident}
            open={open.value === incident.incidentId}
            onToggle={() => (open.value = open.value === incident.incidentId ? null : incident.incidentId)}
          />
        ))}
      </ul>
    </section>
  );
}

function IncidentItem({ user, incident, open, onToggle }: { user: SessionUser; incident: IncidentEntry; open: boolean; onToggle: () => void }) {
  const { report } = incident;
  const state = stateOf(incident);
  const handedTo = incident.steps.findLast((s) => s.state)?.handedTo;
  const notes = incident.steps.filter((s) => s.note);
  const where = report.location.address ?? (report.location.lat !== null ? `${report.location.lat.toFixed(5)}, ${report.location.lon?.toFixed(5)}` : '');
  return (
    <li class="task incident" data-state={state} data-incident={incident.incidentId}>
      <div class="task-head">
        <strong>{categoryName(report.category)}</strong>
        <span class="incident-state" data-testid="incident-state">
          {t(INCIDENT_STATE_KEYS[state])}
          {handedTo ? ` → ${handedTo}` : ''}
        </span>
      </div>
      <p class="muted">
        {formatTime(report.occurredAt)} · {where}
        {report.photos.length > 0 && ` · ${t('incident.photoCount', { n: report.photos.length })}`}
        {(report.injured > 0 || report.dead > 0) && ` · ${t('incident.casualties', { injured: report.injured, dead: report.dead })}`}
      </p>
      {report.description && <p>{report.description}</p>}
      {notes.length > 0 && (
        <ul class="incident-notes">
          {notes.map((s) => (
            <li key={s.recordId}>
              <span class="muted">{formatTime(s.at)}</span> {s.note}
            </li>
          ))}
        </ul>
      )}
      {open ? (
        <IncidentUpdateForm user={user} incident={incident} onDone={onToggle} />
      ) : (
        state !== 'resolved' &&
        state !== 'handed-over' && (
          <div class="task-actions">
            <button type="button" onClick={onToggle}>
              {t('incident.update')}
            </button>
          </div>
        )
      )}
    </li>
  );
}

/** Moving an incident along: a new state (handing over names to whom), and a note appended. */
function IncidentUpdateForm({ user, incident, onDone }: { user: SessionUser; incident: IncidentEntry; onDone: () => void }) {
  const state = useSignal<UpdateState | null>(null);
  const handedTo = useSignal('');
  const note = useSignal('');
  const { busy, error, run } = useAction({ inline: true });
  const needsWho = state.value === 'handed-over' && !handedTo.value.trim();
  const empty = !state.value && !note.value.trim();

  function submit(event: Event) {
    event.preventDefault();
    if (needsWho || empty) return;
    void run(async () => {
      await updateIncident(user, incident.incidentId, {
        ...(state.value ? { state: state.value } : {}),
        ...(state.value === 'handed-over' ? { handedTo: handedTo.value.trim() } : {}),
        ...(note.value.trim() ? { note: note.value.trim() } : {}),
      });
      onDone();
    });
  }

  return (
    <form class="stack incident-update" onSubmit={submit} noValidate>
      <div class="incident-categories" role="radiogroup" aria-label={t('incident.newState')}>
        {INCIDENT_UPDATE_STATES.map((s) => (
          <button
            type="button"
            key={s}
            role="radio"
            aria-checked={state.value === s}
            data-state={s}
            onClick={() => (state.value = state.value === s ? null : s)}
          >
            {t(INCIDENT_STATE_KEYS[s])}
          </button>
        ))}
      </div>
      {state.value === 'handed-over' && (
        <label>
          {t('incident.handedTo')}
          <input type="text" maxLength={200} value={handedTo.value} onInput={(e) => (handedTo.value = e.currentTarget.value)} />
        </label>
      )}
      <label>
        {t('incident.note')}
        <textarea rows={2} maxLength={2000} value={note.value} onInput={(e) => (note.value = e.currentTarget.value)} />
      </label>
      {needsWho && <p class="form-error">{t('incident.problem.handedTo')}</p>}
      {error.value && (
        <p class="form-error" role="alert">
          {error.value}
        </p>
      )}
      <div class="task-actions">
        <button type="submit" class="primary" disabled={busy.value || needsWho || empty}>
          {t('incident.update.submit')}
        </button>
        <button type="button" onClick={onDone}>
          {t('shift.form.cancel')}
        </button>
      </div>
    </form>
  );
}
