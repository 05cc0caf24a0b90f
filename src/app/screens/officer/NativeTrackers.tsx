import { useSignal } from '@preact/signals';
import { encode } from 'uqr';
import type { NativeTrackerView, NewTrackerResponse } from '../../../domain/native-trackers.js';
import { api } from '../../../store/api.js';
import { formatTime, t } from '../../i18n/index.js';
import { usePolledApi } from '../../state/use-polled-api.js';
import { useAction } from '../../state/use-action.js';

/** How often the list refreshes its "last report" times while open. */
const REFRESH_MS = 60_000;

/**
 * Pairing a native tracker app (OwnTracks, Traccar Client) for when the screen is locked and the
 * browser records nothing: a token shown once, as a QR code OwnTracks configures itself from and
 * as text for either app; pairings listed with their last report, revocable.
 */
export function NativeTrackers() {
  const open = useSignal(false);
  return (
    <details class="panel" data-testid="native-trackers" onToggle={(e) => (open.value = e.currentTarget.open)}>
      <summary>{t('tracker.title')}</summary>
      {open.value && <TrackerPairing />}
    </details>
  );
}

function TrackerPairing() {
  const { data } = usePolledApi<{ trackers: NativeTrackerView[] }>('/api/trackers', REFRESH_MS);
  const label = useSignal('');
  const created = useSignal<NewTrackerResponse | null>(null);
  /** The pairing whose revoke button was tapped once: a second tap revokes it. */
  const confirming = useSignal<string | null>(null);
  const { busy, run } = useAction();
  const trackers = data.value?.trackers ?? [];

  const pair = (event: Event) => {
    event.preventDefault();
    void run(async () => {
      const response = await api<NewTrackerResponse>('/api/trackers', { method: 'POST', body: { label: label.value } });
      created.value = response;
      label.value = '';
      data.value = { trackers: [response.tracker, ...trackers] };
    });
  };
  const revoke = (tracker: NativeTrackerView) =>
    run(async () => {
      if (confirming.value !== tracker.id) {
        confirming.value = tracker.id;
        return;
      }
      confirming.value = null;
      data.value = await api<{ trackers: NativeTrackerView[] }>(`/api/trackers/${tracker.id}/revoke`, { method: 'POST' });
      if (created.value?.tracker.id === tracker.id) created.value = null;
    });

  return (
    <div class="stack">
      <p class="muted">{t('tracker.why')}</p>
      {created.value && <NewPairing pairing={created.value} onDone={() => (created.value = null)} />}
      <form class="stack" onSubmit={pair}>
        <label>
          {t('tracker.label')}
          <input
            type="text"
            required
            maxLength={40}
            value={label.value}
            placeholder={t('tracker.labelHint')}
            onInput={(e) => (label.value = e.currentTarget.value)}
          />
        </label>
        <button type="submit" class="primary" disabled={busy.value}>
          {t('tracker.pair')}
        </button>
      </form>
      {trackers.length > 0 && (
        <ul class="task-list">
          {trackers.map((tracker) => (
            <li key={tracker.id} class="task" data-tracker={tracker.id} data-revoked={tracker.revokedAt ? 'yes' : 'no'}>
              <strong>{tracker.label}</strong>
              <div class="muted">
                {tracker.revokedAt
                  ? t('tracker.revoked', { time: formatTime(tracker.revokedAt) })
                  : tracker.lastUsedAt
                    ? t('tracker.lastReport', { time: formatTime(tracker.lastUsedAt), n: tracker.fixes })
                    : t('tracker.noReport')}
              </div>
              {!tracker.revokedAt && (
                <button type="button" class={confirming.value === tracker.id ? 'danger' : ''} disabled={busy.value} onClick={() => void revoke(tracker)}>
                  {confirming.value === tracker.id ? t('tracker.revokeConfirm') : t('tracker.revoke')}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** The secret, once: a QR code for OwnTracks, and the settings for either app as text. */
function NewPairing({ pairing, onDone }: { pairing: NewTrackerResponse; onDone: () => void }) {
  return (
    <div class="stack tracker-new" data-testid="tracker-new">
      <p class="form-error">{t('tracker.onceOnly')}</p>
      <h3>OwnTracks</h3>
      <p class="muted">{t('tracker.ownTracksScan')}</p>
      <QrCode text={pairing.owntracks.configUrl} label={t('tracker.qrLabel')} />
      <Setting name={t('tracker.mode')} value="HTTP" />
      <Setting name="URL" value={pairing.owntracks.url} />
      <Setting name={t('tracker.username')} value={pairing.owntracks.username} />
      <Setting name={t('tracker.password')} value={pairing.owntracks.password} testId="tracker-token" />
      <h3>Traccar Client</h3>
      <Setting name={t('tracker.serverUrl')} value={pairing.osmand.url} />
      <Setting name={t('tracker.deviceId')} value={pairing.osmand.deviceId} />
      <button type="button" onClick={onDone}>
        {t('tracker.done')}
      </button>
    </div>
  );
}

function Setting({ name, value, testId }: { name: string; value: string; testId?: string }) {
  return (
    <div class="tracker-setting">
      <span class="muted">{name}</span>
      <code data-testid={testId}>{value}</code>
    </div>
  );
}

/** A QR code drawn as one SVG path: no image URL for the CSP to allow, sharp at any size. */
function QrCode({ text, label }: { text: string; label: string }) {
  const { data } = encode(text, { ecc: 'M', border: 2 });
  const size = data.length;
  const path = data.flatMap((row, y) => row.flatMap((dark, x) => (dark ? [`M${x} ${y}h1v1h-1z`] : []))).join('');
  return (
    <svg class="qr" viewBox={`0 0 ${size} ${size}`} role="img" aria-label={label} data-testid="tracker-qr" shape-rendering="crispEdges">
      <rect width={size} height={size} fill="#fff" />
      <path d={path} fill="#000" />
    </svg>
  );
}
