import { useSignal } from '@preact/signals';
import { INCIDENT_UPDATE_STATES } from '../../domain/incidents.js';
import type { SessionUser } from '../../domain/protocol/auth.js';
import { t } from '../i18n/index.js';
import { discardPhotos, updateIncident } from '../state/incidents.js';
import { reportError } from '../state/notices.js';
import { useAction } from '../state/use-action.js';
import { INCIDENT_STATE_KEYS } from './incident-text.js';
import { PhotoCapture, type CapturedPhoto } from './officer/PhotoCapture.js';

// The signed update of an incident (issue 15), from the officer's list or the leader's incident page.

type UpdateState = (typeof INCIDENT_UPDATE_STATES)[number];

/** Moving an incident along: a new state (handing over names to whom), a note appended, photos added. */
export function IncidentUpdateForm({
  user,
  incidentId,
  onDone,
  onSaved,
}: {
  user: SessionUser;
  incidentId: string;
  onDone: () => void;
  /** Heard once the update is written (not on cancel). */
  onSaved?: () => void;
}) {
  const state = useSignal<UpdateState | null>(null);
  const handedTo = useSignal('');
  const note = useSignal('');
  const photos = useSignal<CapturedPhoto[]>([]);
  const preparing = useSignal<{ done: number; of: number } | null>(null);
  const { busy, error, run } = useAction({ inline: true });
  const needsWho = state.value === 'handed-over' && !handedTo.value.trim();
  const empty = !state.value && !note.value.trim() && photos.value.length === 0;

  /** Leaves the form; the photos it took are named by no record, so they leave the device too. */
  const cancel = () => {
    discardPhotos(
      user.id,
      photos.value.map((p) => p.ref),
    ).catch(reportError);
    onDone();
  };

  function submit(event: Event) {
    event.preventDefault();
    if (needsWho || empty || preparing.value) return;
    void run(async () => {
      await updateIncident(user, incidentId, {
        ...(state.value ? { state: state.value } : {}),
        ...(state.value === 'handed-over' ? { handedTo: handedTo.value.trim() } : {}),
        ...(note.value.trim() ? { note: note.value.trim() } : {}),
        ...(photos.value.length ? { photos: photos.value.map((p) => p.ref) } : {}),
      });
      onSaved?.();
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
        <button type="button" onClick={cancel}>
          {t('shift.form.cancel')}
        </button>
      </div>
    </form>
  );
}
