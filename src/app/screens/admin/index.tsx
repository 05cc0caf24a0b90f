import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { t } from '../../i18n/index.js';
import { describeError } from '../../state/notices.js';
import { importCheckpoints, importZones, loadAdminData } from './admin-store.js';
import { CheckpointsPanel } from './CheckpointsPanel.js';
import { ZonesPanel } from './ZonesPanel.js';
import { AreasPanel } from './AreasPanel.js';
import { ControlPointsPanel } from './ControlPointsPanel.js';
import { IncidentCategoriesPanel } from './IncidentCategoriesPanel.js';
import { ImportExport } from './ImportExport.js';
import { PlansPanel } from './PlansPanel.js';
import { AuditPanel } from './AuditPanel.js';
import { UsersPanel } from './UsersPanel.js';
import { DeviceList } from '../accounts/DeviceList.js';
import { LockPolicyPanel } from './LockPolicyPanel.js';

/**
 * The admin's desk: the unit's patrol zones (drawn on the map, with population) and checkpoints
 * (map, list, editor), their GeoJSON import and export,
 * and patrol plans; beside them, the control points (卡口) for rapid lockdown, and the towns and
 * communities the safety index is published for, and the unit's incident categories. One map at
 * a time: they sit on tabs.
 */
export function AdminScreen() {
  const state = useSignal<'loading' | 'ready' | { failed: string }>('loading');
  const tab = useSignal<'zones' | 'checkpoints' | 'control-points' | 'areas' | 'taxonomy' | 'users' | 'devices' | 'audit'>('checkpoints');
  const attempt = useSignal(0);
  useEffect(() => {
    const controller = new AbortController();
    state.value = 'loading';
    loadAdminData(controller.signal).then(
      () => (state.value = 'ready'),
      (error: unknown) => {
        if (controller.signal.aborted) return; // the screen was left; nobody is waiting for this answer
        console.error(error);
        state.value = { failed: describeError(error) };
      },
    );
    return () => controller.abort();
  }, [attempt.value]);

  const current = state.value;
  if (current === 'loading') return <p class="muted">{t('admin.loading')}</p>;
  if (typeof current === 'object') {
    return (
      <div class="panel" role="alert">
        <p class="form-error">{t('admin.loadFailed', { message: current.failed })}</p>
        <button type="button" onClick={() => attempt.value++}>
          {t('admin.retry')}
        </button>
      </div>
    );
  }
  return (
    <div class="admin" data-testid="admin-screen">
      <div class="row admin-tabs" role="group">
        <button type="button" aria-pressed={tab.value === 'zones'} onClick={() => (tab.value = 'zones')}>
          {t('zones.tab')}
        </button>
        <button type="button" aria-pressed={tab.value === 'checkpoints'} onClick={() => (tab.value = 'checkpoints')}>
          {t('admin.cp.title')}
        </button>
        <button type="button" aria-pressed={tab.value === 'control-points'} onClick={() => (tab.value = 'control-points')}>
          {t('ctl.title')}
        </button>
        <button type="button" aria-pressed={tab.value === 'areas'} onClick={() => (tab.value = 'areas')}>
          {t('areas.tab')}
        </button>
        <button type="button" aria-pressed={tab.value === 'taxonomy'} onClick={() => (tab.value = 'taxonomy')}>
          {t('taxonomy.tab')}
        </button>
        <button type="button" aria-pressed={tab.value === 'users'} onClick={() => (tab.value = 'users')}>
          {t('accounts.tab')}
        </button>
        <button type="button" aria-pressed={tab.value === 'devices'} onClick={() => (tab.value = 'devices')}>
          {t('device.tab')}
        </button>
        <button type="button" aria-pressed={tab.value === 'audit'} onClick={() => (tab.value = 'audit')}>
          {t('auditLog.tab')}
        </button>
      </div>
      {tab.value === 'zones' ? (
        <>
          <ZonesPanel />
          <ImportExport
            title={t('zones.io.title')}
            hint={t('zones.io.hint')}
            exportHref="/api/admin/zones/export"
            onImport={importZones}
            testId="zone-import-export"
          />
        </>
      ) : tab.value === 'checkpoints' ? (
        <>
          <CheckpointsPanel />
          <ImportExport
            title={t('admin.io.title')}
            hint={t('admin.io.hint')}
            exportHref="/api/admin/checkpoints/export"
            onImport={importCheckpoints}
            testId="import-export"
          />
          <PlansPanel />
        </>
      ) : tab.value === 'control-points' ? (
        <ControlPointsPanel />
      ) : tab.value === 'areas' ? (
        <AreasPanel />
      ) : tab.value === 'taxonomy' ? (
        <IncidentCategoriesPanel />
      ) : tab.value === 'users' ? (
        <>
          <UsersPanel />
          {/* How the unit's handhelds lock sits with its people and their password rules. */}
          <LockPolicyPanel />
        </>
      ) : tab.value === 'devices' ? (
        <DeviceList canRevoke />
      ) : (
        <AuditPanel />
      )}
    </div>
  );
}
