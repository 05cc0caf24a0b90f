import { useSignal } from '@preact/signals';
import { useEffect, useMemo } from 'preact/hooks';
import type { SessionUser } from '../../../domain/protocol/auth.js';
import { formatTime, t } from '../../i18n/index.js';
import { fieldIncidentList, type FieldIncident } from '../../state/field-incidents.js';
import { loadIncidents, myIncidents, photosWaiting } from '../../state/incidents.js';
import { fieldIncidents } from '../../state/local-copies.js';
import { online } from '../../state/network.js';
import { reportError } from '../../state/notices.js';
import { syncStatus } from '../../state/sync.js';
import { categoryName, INCIDENT_STATE_KEYS, incidentPlace } from '../incident-text.js';
import { TimelineStep } from '../IncidentTimeline.js';
import { IncidentUpdateForm } from '../IncidentUpdateForm.js';

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
  const where = incidentPlace(incident);
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
        <IncidentUpdateForm user={user} incidentId={incident.incidentId} onDone={onToggle} />
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
