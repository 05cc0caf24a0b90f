import { useSignal } from '@preact/signals';
import { t } from '../../i18n/index.js';
import { RouteAudit } from '../supervisor/RouteAudit.js';

/** The officer's own shifts as their supervisor audits them: the same verdict, analysis and replay, loaded only when opened. */
export function MyRouteAudit() {
  const open = useSignal(false);
  return (
    <details class="panel" data-testid="my-route-audit" onToggle={(e) => (open.value = e.currentTarget.open)}>
      <summary>{t('audit.mine')}</summary>
      {open.value && <RouteAudit embedded />}
    </details>
  );
}
