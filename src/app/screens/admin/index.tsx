import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { t } from '../../i18n/index.js';
import { describeError } from '../../state/notices.js';
import { loadAdminData } from './admin-store.js';
import { CheckpointsPanel } from './CheckpointsPanel.js';
import { ImportExport } from './ImportExport.js';
import { PlansPanel } from './PlansPanel.js';

/** The admin's desk: the unit's checkpoints (map, list, editor), GeoJSON import and export, and patrol plans. */
export function AdminScreen() {
  const state = useSignal<'loading' | 'ready' | { failed: string }>('loading');
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
      <CheckpointsPanel />
      <ImportExport />
      <PlansPanel />
    </div>
  );
}
