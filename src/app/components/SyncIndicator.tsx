import { formatTime, t } from '../i18n/index.js';
import { liveState } from '../state/live.js';
import { online } from '../state/network.js';
import { storagePersisted, syncStatus } from '../state/sync.js';

/**
 * The sync state in one line: network, records waiting, last good sync, and a badge for
 * rejections. A problem or storage warning gets a line of its own, only while it matters.
 */
export function SyncIndicator() {
  const status = syncStatus.value;
  const persisted = storagePersisted.value;
  return (
    <div class="sync" role="status" data-testid="sync-indicator">
      <span class={`net ${online.value ? 'net-on' : 'net-off'}`} data-testid="net-status">
        {online.value ? t('net.online') : t('net.offline')}
      </span>
      {/* Online but the live channel is down: changes arrive only with the next sync. */}
      {online.value && liveState.value === 'connecting' && (
        <span class="net net-off" data-testid="live-status">
          {t('live.down')}
        </span>
      )}
      <span class="sync-count" data-testid="sync-waiting" data-waiting={status.waiting} data-syncing={status.syncing}>
        {status.syncing ? t('sync.syncing') : status.waiting > 0 ? t('sync.waiting', { n: status.waiting }) : t('sync.allSent')}
      </span>
      <span class="sync-last muted" data-testid="sync-last">
        {status.lastSyncAt ? t('sync.last', { time: formatTime(status.lastSyncAt) }) : t('sync.never')}
      </span>
      {status.rejected > 0 && (
        <a href="/rejected" class="badge-bad" data-testid="sync-rejected">
          {t('sync.rejected', { n: status.rejected })}
        </a>
      )}
      {status.problem && <span class="sync-problem">{status.problem}</span>}
      {/* Only worth the space while records wait: then an evicted store would lose them. */}
      {persisted === false && status.waiting > 0 && (
        <span class="sync-problem" data-testid="sync-persisted">
          {t('sync.notPersisted')}
        </span>
      )}
    </div>
  );
}
