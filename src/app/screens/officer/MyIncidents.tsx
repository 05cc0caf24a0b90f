import { useSignal } from '@preact/signals';
import { useEffect, useMemo } from 'preact/hooks';
import { INCIDENT_UPDATE_STATES } from '../../../domain/incidents.js';
import type { SessionUser } from '../../../domain/protocol/auth.js';
import { formatTime, t } from '../../i18n/index.js';
import { fieldIncidentList, loadIncidents, myIncidents, photosWaiting, updateIncident, type FieldIncident } from '../../state/incidents.js';
import { fieldIncidents } from '../../state/local-copies.js';
import { online } from '../../state/network.js';
import { reportError } from '../../state/notices.js';
import { syncStatus } from '../../state/sync.js';
import { useAction } from '../../state/use-action.js';
import { categoryName, INCIDENT_STATE_KEYS } from '../incident-text.js';
import { TimelineStep } from '../IncidentTimeline.js';
import { PhotoCapture, type CapturedPhoto } from './PhotoCapture.js';

type UpdateState = (typeof INCIDENT_UPDATE_STATES)[number];

/** The officer's incidents (我的警情): theirs and those they were sent to, with what everyone did on them, and a way to move one along. */
export function MyIncidents({ user }: { user: SessionUser }) {
  const open = useSignal<string | null>(null);
  // Re-read after every sync: photos that went up leave the device, and the waiting count drops.
  const { lastSyncAt, waiting, syncing } = syncStatus.value;
  useEffect(() => {
    loadIncidents(user.id).catch(reportError);
  }, [user.id, lastSyncAt, waiting]);
  const own = myIncidents.value;
  const pulled = fieldIncidents.value;
  const incidents = useMemo(() => fieldIncidentList(user, own, pulled), [user, own, pulled]);
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

function IncidentItem({ user, incident, open, onToggle }: { user: SessionUser; incident: FieldIncident; open: boolean; onToggle: () => void }) {
  const { state } = incident;
  const where = incident.address ?? (incident.lat !== null && incident.lon !== null ? `${incident.lat.toFixed(5)}, ${incident.lon.toFixed(5)}` : '');
  // The report's own line says what and where; the timeline below it, who did what since.
  const later = incident.steps.filter((s) => s.step.kind === 'update' || s.photos.length > 0 || s.pending);
  return (
    <li class="task incident" data-state={state} data-incident={incident.incidentId}>
      <div class="task-head">
        <strong>{categoryName(incident.category)}</strong>
        <span class="incident-state" data-testid="incident-state">
          {t(INCIDENT_STATE_KEYS[state])}
          {incident.handedTo ? ` → ${incident.handedTo}` : ''}
        </span>
      </div>
      <p class="muted">
        {formatTime(incident.occurredAt)} · {where}
        {incident.photoCount > 0 && ` · ${t('incident.photoCount', { n: incident.photoCount })}`}
        {(incident.injured > 0 || incident.dead > 0) && ` · ${t('incident.casualties', { injured: incident.injured, dead: incident.dead })}`}
      </p>
      {incident.reportedBy.id !== user.id && (
        <p class="muted" data-testid="incident-reported-by">
          {t('incident.reportedByOther', { name: incident.reportedBy.name, badge: incident.reportedBy.badge })}
        </p>
      )}
      {incident.description && <p>{incident.description}</p>}
      {later.length > 0 && (
        <ol class="incident-timeline" data-testid="incident-timeline">
          {later.map((s) => (
            <TimelineStep key={s.step.recordId} step={s.step} photos={s.photos} pending={s.pending} />
          ))}
        </ol>
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

/** Moving an incident along: a new state (handing over names to whom), a note appended, photos added. */
function IncidentUpdateForm({ user, incident, onDone }: { user: SessionUser; incident: FieldIncident; onDone: () => void }) {
  const state = useSignal<UpdateState | null>(null);
  const handedTo = useSignal('');
  const note = useSignal('');
  const photos = useSignal<CapturedPhoto[]>([]);
  const preparing = useSignal<{ done: number; of: number } | null>(null);
  const { busy, error, run } = useAction({ inline: true });
  const needsWho = state.value === 'handed-over' && !handedTo.value.trim();
  const empty = !state.value && !note.value.trim() && photos.value.length === 0;

  function submit(event: Event) {
    event.preventDefault();
    if (needsWho || empty || preparing.value) return;
    void run(async () => {
      await updateIncident(user, incident.incidentId, {
        ...(state.value ? { state: state.value } : {}),
        ...(state.value === 'handed-over' ? { handedTo: handedTo.value.trim() } : {}),
        ...(note.value.trim() ? { note: note.value.trim() } : {}),
        ...(photos.value.length ? { photos: photos.value.map((p) => p.ref) } : {}),
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
      <PhotoCapture officerId={user.id} photos={photos} preparing={preparing} run={run} testId="incident-update-photos" />
      {needsWho && <p class="form-error">{t('incident.problem.handedTo')}</p>}
      {error.value && (
        <p class="form-error" role="alert">
          {error.value}
        </p>
      )}
      <div class="task-actions">
        <button type="submit" class="primary" disabled={busy.value || needsWho || empty || !!preparing.value}>
          {t('incident.update.submit')}
        </button>
        <button type="button" onClick={onDone}>
          {t('shift.form.cancel')}
        </button>
      </div>
    </form>
  );
}
