import { useSignal } from '@preact/signals';
import type { DevicesResponse, DeviceView } from '../../../domain/protocol/accounts.js';
import { api } from '../../../store/api.js';
import { formatDateTime, t } from '../../i18n/index.js';
import { useAction } from '../../state/use-action.js';
import { usePolledApi } from '../../state/use-polled-api.js';

const REFRESH_MS = 60_000;

/**
 * The registered devices the viewer may see (own, squad, unit): label, first and last seen, last
 * sync, what it last said it held unsent. An admin (`canRevoke`) marks one lost here.
 */
export function DeviceList({ canRevoke }: { canRevoke: boolean }) {
  const { data, offline } = usePolledApi<DevicesResponse>('/api/devices', REFRESH_MS);
  const action = useAction();
  const confirming = useSignal<string | null>(null);
  const devices = data.value?.devices ?? null;
  function revoke(device: DeviceView) {
    confirming.value = null;
    void action.run(async () => {
      await api(`/api/admin/devices/${encodeURIComponent(device.id)}/revoke`, { method: 'POST' });
      data.value = await api<DevicesResponse>('/api/devices');
    });
  }
  return (
    <section class="panel" aria-labelledby="devices-title" data-testid="device-list">
      <h2 id="devices-title">{t('device.title')}</h2>
      {offline.value && <p class="form-error">{t('leader.needsNetwork')}</p>}
      {devices?.length === 0 && <p class="muted">{t('device.none')}</p>}
      <ul class="rejected-list">
        {devices?.map((d) => (
          <li key={d.id} data-device={d.id} data-revoked={d.revokedAt ? 'yes' : 'no'}>
            <strong>{t('person.nameBadge', { name: d.officerName, badge: d.officerBadge })}</strong> ·{' '}
            <span class="fact">{d.label ?? t('device.unnamed')}</span>{' '}
            {d.revokedAt && <span class="badge-bad">{t('device.revoked', { time: formatDateTime(d.revokedAt) })}</span>}
            {/* Each fact wraps whole, so a line breaks between facts, never inside a time. */}
            <div class="muted">
              <span class="fact">{t('device.firstSeen', { time: formatDateTime(d.firstSeenAt) })}</span> ·{' '}
              <span class="fact">{t('device.lastSeen', { time: d.lastSeenAt ? formatDateTime(d.lastSeenAt) : '—' })}</span>
            </div>
            <div class="muted">
              <span class="fact">{t('device.lastSync', { time: d.lastSyncAt ? formatDateTime(d.lastSyncAt) : '—' })}</span> ·{' '}
              <span class="fact">{d.pendingCount === null ? t('device.pendingUnknown') : t('device.pending', { n: d.pendingCount })}</span>
            </div>
            {canRevoke && !d.revokedAt && confirming.value !== d.id && (
              <button type="button" class="danger" disabled={action.busy.value} onClick={() => (confirming.value = d.id)}>
                {t('device.revoke')}
              </button>
            )}
            {confirming.value === d.id && (
              <div class="stack" role="group">
                <p>{t('device.revokeConfirm', { name: d.officerName, badge: d.officerBadge })}</p>
                <div class="row">
                  <button type="button" class="danger" disabled={action.busy.value} onClick={() => revoke(d)}>
                    {t('device.revokeYes')}
                  </button>
                  <button type="button" onClick={() => (confirming.value = null)}>
                    {t('admin.cancel')}
                  </button>
                </div>
              </div>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
