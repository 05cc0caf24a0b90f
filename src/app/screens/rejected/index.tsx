import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import type { RecordKind } from '../../../domain/records.js';
import { listRejected } from '../../../store/outbox-store.js';
import type { RejectedEntry } from '../../../store/schema.js';
import { formatTime, t, type MessageKey } from '../../i18n/index.js';
import { deviceDb } from '../../state/db.js';
import { reportError } from '../../state/notices.js';
import { downloadText } from '../../download.js';
import { currentUser } from '../../state/session.js';

const KIND_KEYS: Record<RecordKind, MessageKey> = {
  'shift.start': 'record.shift.start',
  'shift.end': 'record.shift.end',
  tracking: 'record.tracking',
  position: 'record.position',
  checkin: 'record.checkin',
  'task.update': 'record.task.update',
  sos: 'record.sos',
  'incident.report': 'record.incident.report',
  'incident.update': 'record.incident.update',
};

/** Records the server refused, with the reason, exportable as JSON for the administrator. */
export function RejectedScreen() {
  const user = currentUser.value;
  const entries = useSignal<RejectedEntry[] | null>(null);
  useEffect(() => {
    if (!user) return;
    deviceDb.then((db) => listRejected(db, user.id)).then((list) => (entries.value = list), reportError);
  }, [user?.id]);

  function exportJson() {
    downloadText(
      JSON.stringify(entries.value ?? [], null, 2),
      `xunfang-rejected-${user?.badge ?? ''}-${new Date().toISOString().slice(0, 10)}.json`,
      'application/json',
    );
  }

  const list = entries.value;
  return (
    <main class="home">
      <h1>{t('rejected.title')}</h1>
      <a href={user ? `/${user.role}` : '/'}>{t('rejected.back')}</a>
      {list && list.length === 0 && <p>{t('rejected.none')}</p>}
      {list && list.length > 0 && (
        <>
          <p class="muted">{t('rejected.intro')}</p>
          <button type="button" class="primary" onClick={exportJson}>
            {t('rejected.export')}
          </button>
          <ul class="rejected-list">
            {list.map((entry) => (
              <li key={entry.id} data-testid="rejected-entry">
                <strong>{t(KIND_KEYS[entry.record.kind])}</strong> #{entry.record.seq} · {formatTime(entry.record.at)}
                <div class="reason">{t('rejected.reason', { reason: entry.reason })}</div>
              </li>
            ))}
          </ul>
        </>
      )}
    </main>
  );
}
