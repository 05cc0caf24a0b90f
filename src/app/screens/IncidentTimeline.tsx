import type { PhotoRef } from '../../domain/incidents.js';
import type { IncidentStep } from '../../domain/protocol/incidents.js';
import { PhotoThumbs } from '../components/IncidentPhotos.js';
import { formatDateTime, t } from '../i18n/index.js';
import { INCIDENT_STATE_KEYS } from './incident-text.js';

// An incident's timeline step, the same on the leader's incident page and the officer's list.

/** One step of the timeline: who moved the incident where, what they noted, and the photos they added. */
export function TimelineStep({ step, photos, pending = false }: { step: IncidentStep; photos: readonly PhotoRef[]; pending?: boolean }) {
  return (
    <li data-record={step.recordId} data-state={step.state ?? 'none'} data-pending={pending || undefined}>
      <span class="muted">
        {formatDateTime(step.at)} · {step.by.name} {step.by.badge}
        {pending && ` · ${t('incident.step.pending')}`}
      </span>
      <div>
        <strong>{step.state ? t(INCIDENT_STATE_KEYS[step.state]) : t('incidents.step.added')}</strong>
        {step.handedTo && ` → ${step.handedTo}`}
        {step.kind === 'update' && (step.injured !== null || step.dead !== null) && (
          <span>
            {' · '}
            {t('incidents.step.counts', { injured: step.injured ?? '—', dead: step.dead ?? '—' })}
          </span>
        )}
      </div>
      {step.note && <p class="incident-note">{step.note}</p>}
      <PhotoThumbs photos={photos} testId="incident-photos" />
    </li>
  );
}
