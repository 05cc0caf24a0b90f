import { useSignal } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import type { BaseMap } from '../../domain/protocol/config.js';
import type { Bounds } from '../../domain/tiles.js';
import { t } from '../i18n/index.js';
import { notify, reportError } from '../state/notices.js';
import { AREA_MAX_ZOOMS, AreaError, deleteArea, downloadArea, planArea, type AreaPlan, type AreaProgress } from './offline-area.js';

const mb = (bytes: number) => t('size.mb', { n: (bytes / 1e6).toFixed(bytes < 1e7 ? 1 : 0) });

/** Progress repaints at most this often: a fast tile server must not keep the main thread busy. */
const REPAINT_MS = 100;

type Step =
  | { step: 'idle' }
  | { step: 'planning' }
  | { step: 'confirm'; plan: AreaPlan; freeBytes: number | null }
  | { step: 'downloading'; progress: AreaProgress }
  | { step: 'done'; progress: AreaProgress };

/**
 * Download the officer's zones for offline use: the size first, then on confirmation a
 * cancellable download with its progress; failures are shown here, never dropped.
 */
export function OfflineArea({ base, bounds }: { base: BaseMap; bounds: Bounds | null }) {
  const state = useSignal<Step>({ step: 'idle' });
  const maxZoom = useSignal<number>(17);
  const problem = useSignal<string | null>(null);
  const abort = useRef<AbortController | null>(null);
  useEffect(() => () => abort.current?.abort(), []);
  if (base.kind === 'none') return null;

  const fail = (error: unknown) => {
    if (error instanceof AreaError) {
      console.error(error);
      problem.value = t(error.key, error.params);
    } else reportError(error);
  };

  async function plan() {
    if (!bounds) return;
    problem.value = null;
    state.value = { step: 'planning' };
    try {
      const planned = await planArea(base, bounds, maxZoom.value);
      const estimate = navigator.storage?.estimate ? await navigator.storage.estimate() : null;
      const freeBytes = estimate?.quota !== undefined && estimate.usage !== undefined ? estimate.quota - estimate.usage : null;
      state.value = { step: 'confirm', plan: planned, freeBytes };
    } catch (error) {
      state.value = { step: 'idle' };
      fail(error);
    }
  }

  async function download(planned: AreaPlan) {
    const controller = new AbortController();
    abort.current = controller;
    let painted = 0;
    state.value = { step: 'downloading', progress: { done: 0, total: planned.count, skipped: 0, failed: 0 } };
    try {
      const result = await downloadArea(
        planned,
        (progress) => {
          const now = performance.now();
          if (now - painted < REPAINT_MS) return;
          painted = now;
          state.value = { step: 'downloading', progress };
        },
        controller.signal,
      );
      state.value = { step: 'done', progress: result };
    } catch (error) {
      state.value = { step: 'idle' };
      if (controller.signal.aborted) notify('info', t('map.area.cancelled'));
      else fail(error);
    } finally {
      abort.current = null;
    }
  }

  async function remove() {
    try {
      await deleteArea();
      state.value = { step: 'idle' };
      notify('info', t('map.area.deleted'));
    } catch (error) {
      reportError(error);
    }
  }

  const s = state.value;
  return (
    <section class="panel stack offline-area" aria-label={t('map.area.title')} data-testid="offline-area">
      <h2>{t('map.area.title')}</h2>
      {!bounds ? (
        <p class="muted">{t('map.area.noZones')}</p>
      ) : s.step === 'idle' || s.step === 'planning' ? (
        <>
          <p class="muted">{t('map.area.hint')}</p>
          {base.kind !== 'pmtiles' && (
            <label>
              {t('map.area.maxZoom')}{' '}
              <select value={maxZoom.value} onChange={(e) => (maxZoom.value = Number(e.currentTarget.value))}>
                {AREA_MAX_ZOOMS.map((z) => (
                  <option key={z} value={z}>
                    {z}
                  </option>
                ))}
              </select>
            </label>
          )}
          <button type="button" class="primary" disabled={s.step === 'planning'} onClick={plan}>
            {s.step === 'planning' ? t('map.area.planning') : t('map.area.download')}
          </button>
        </>
      ) : s.step === 'confirm' ? (
        <>
          <p data-testid="area-estimate" data-count={s.plan.count} data-bytes={s.plan.estimatedBytes}>
            {s.plan.kind === 'archive'
              ? t('map.area.archive', { size: mb(s.plan.estimatedBytes) })
              : t('map.area.confirm', { count: s.plan.count, size: mb(s.plan.estimatedBytes) })}
          </p>
          {s.freeBytes !== null && <p class="muted">{t('map.area.free', { size: mb(s.freeBytes) })}</p>}
          <div class="row">
            <button type="button" class="primary" onClick={() => download(s.plan)}>
              {t('map.area.start')}
            </button>
            <button type="button" onClick={() => (state.value = { step: 'idle' })}>
              {t('map.area.cancel')}
            </button>
          </div>
        </>
      ) : s.step === 'downloading' ? (
        <>
          <progress data-testid="area-progress" value={s.progress.done} max={s.progress.total} aria-label={t('map.area.title')} />
          <p role="status">{t('map.area.progress', { done: Math.floor(s.progress.done), total: s.progress.total })}</p>
          <button type="button" onClick={() => abort.current?.abort()}>
            {t('map.area.cancel')}
          </button>
        </>
      ) : (
        <>
          <progress data-testid="area-progress" value={s.progress.done} max={s.progress.total} aria-label={t('map.area.title')} />
          <p role="status" data-testid="area-done">
            {t('map.area.done', { total: s.progress.total, skipped: s.progress.skipped })}
          </p>
          <button type="button" onClick={remove}>
            {t('map.area.delete')}
          </button>
        </>
      )}
      {problem.value && (
        <p class="form-error" role="alert" data-testid="area-error">
          {problem.value}
        </p>
      )}
    </section>
  );
}
