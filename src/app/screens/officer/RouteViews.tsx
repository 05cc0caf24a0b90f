import { useSignal } from '@preact/signals';
import type { RouteViewsResponse } from '../../../domain/protocol/track-audit.js';
import { formatTime, t, type MessageKey } from '../../i18n/index.js';
import { usePolledApi } from '../../state/use-polled-api.js';

const ROLE_KEYS: Record<string, MessageKey> = { leader: 'role.leader', supervisor: 'role.supervisor', admin: 'role.admin', officer: 'role.officer' };

/** Who looked at this officer's route, when, and which window: the audit is itself on record. */
export function RouteViews() {
  const open = useSignal(false);
  return (
    <details class="panel" data-testid="route-views" onToggle={(e) => (open.value = e.currentTarget.open)}>
      <summary>{t('views.title')}</summary>
      {open.value && <ViewList />}
    </details>
  );
}

function ViewList() {
  const { data } = usePolledApi<RouteViewsResponse>('/api/audit/views', 5 * 60_000);
  const views = data.value?.views;
  if (!views) return <p class="muted">{t('app.loading')}</p>;
  if (views.length === 0) return <p class="muted">{t('views.none')}</p>;
  return (
    <ul class="task-list">
      {views.map((v) => (
        <li key={`${v.at}-${v.viewer.badge}-${v.what}`} class="task" data-viewer={v.viewer.badge}>
          <strong>
            {t('person.nameBadge', { name: v.viewer.name, badge: v.viewer.badge })} · {t(ROLE_KEYS[v.viewer.role] ?? 'role.officer')}
          </strong>
          <div class="muted">
            {t(v.what === 'native' ? 'views.native' : 'views.track', {
              at: `${v.at.slice(0, 10)} ${formatTime(v.at)}`,
              from: `${v.from.slice(5, 10)} ${formatTime(v.from)}`,
              to: `${v.to.slice(5, 10)} ${formatTime(v.to)}`,
            })}
          </div>
        </li>
      ))}
    </ul>
  );
}
