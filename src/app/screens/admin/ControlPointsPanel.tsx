import { useSignal } from '@preact/signals';
import { newId } from '../../../domain/ids.js';
import { smallestContaining } from '../../../domain/shape-hit.js';
import { locale, t } from '../../i18n/index.js';
import { controlPointMarks } from '../../map/control-point-marks.js';
import { LazyPlaceMap } from '../../map/LazyMap.js';
import { controlPoints, importControlPoints, localName, zones } from './admin-store.js';
import { ControlPointForm, KIND_KEYS } from './ControlPointForm.js';
import { controlPointMarkOf, draftFromControlPoint, newControlPointDraft, withPosition, type ControlPointDraft } from './drafts.js';
import { ImportExport } from './ImportExport.js';

type ClickMode = 'pick' | 'place' | 'move';

/** The unit's control points (卡口) for rapid lockdown, on a map and in a list, edited beside them; GeoJSON in and out below. */
export function ControlPointsPanel() {
  const draft = useSignal<ControlPointDraft | null>(null);
  const mode = useSignal<ClickMode>('pick');
  const list = controlPoints.value;
  const marks = controlPointMarks(list, locale.value, (name) => t('ctl.mapApprox', { name }));

  function mapClick(at: [number, number]) {
    if (mode.value === 'place') draft.value = newControlPointDraft(newId(), at);
    else if (mode.value === 'move' && draft.value) draft.value = withPosition(draft.value, at);
    else {
      const hit = smallestContaining(marks, at);
      if (hit) pick(hit.id);
    }
    mode.value = 'pick';
  }

  function pick(id: string) {
    const point = controlPoints.value.find((p) => p.id === id);
    if (point) draft.value = draftFromControlPoint(point);
    mode.value = 'pick';
  }

  /** Keyboard path for "new": a point in the middle of the first zone, whose coordinates the admin then types. */
  function placeWithoutMap() {
    const ring = zones.value[0]?.polygon.coordinates[0] ?? [];
    const lon = ring.reduce((sum, p) => sum + (p[0] ?? 0), 0) / (ring.length || 1);
    const lat = ring.reduce((sum, p) => sum + (p[1] ?? 0), 0) / (ring.length || 1);
    draft.value = newControlPointDraft(newId(), [lon, lat]);
    mode.value = 'pick';
  }

  const current = draft.value;
  const selection = current ? controlPointMarkOf(current) : null;
  return (
    <section class="panel admin-control-points" aria-labelledby="admin-ctl-title" data-testid="control-points-panel">
      <h2 id="admin-ctl-title">{t('ctl.title')}</h2>
      <div class="admin-grid">
        <div class="admin-map-column">
          <LazyPlaceMap zones={zones.value} checkpoints={marks} selection={selection} placing={mode.value !== 'pick'} onClick={mapClick} />
          {mode.value === 'place' ? (
            <div class="admin-placing" role="status">
              <p class="hint">{t('ctl.placeHint')}</p>
              <div class="row">
                <button type="button" onClick={placeWithoutMap}>
                  {t('admin.cp.enterCoords')}
                </button>
                <button type="button" onClick={() => (mode.value = 'pick')}>
                  {t('admin.cancel')}
                </button>
              </div>
            </div>
          ) : (
            <button type="button" class="primary" onClick={() => ((mode.value = 'place'), (draft.value = null))}>
              {t('ctl.new')}
            </button>
          )}
        </div>
        <div class="admin-side">
          {current && (
            <ControlPointForm
              draft={current}
              onChange={(next) => (draft.value = next)}
              moving={mode.value === 'move'}
              onMove={() => (mode.value = mode.value === 'move' ? 'pick' : 'move')}
              onSaved={(saved) => (draft.value = draftFromControlPoint(saved))}
              onDeleted={() => (draft.value = null)}
              onClose={() => ((draft.value = null), (mode.value = 'pick'))}
            />
          )}
          <h3>{t('ctl.list', { n: list.length })}</h3>
          {list.length === 0 && <p class="muted">{t('ctl.none')}</p>}
          <ul class="admin-list" data-testid="control-point-list">
            {list.map((p) => (
              <li key={p.id} data-approximate={p.approximate ? 'yes' : 'no'}>
                <button type="button" aria-current={current?.id === p.id ? 'true' : undefined} onClick={() => pick(p.id)}>
                  <strong>{localName(p.name)}</strong>
                  <span class="muted"> · {t(KIND_KEYS[p.kind])}</span>
                  {p.approximate && <span class="badge-approx">{t('ctl.approxBadge')}</span>}
                </button>
              </li>
            ))}
          </ul>
        </div>
      </div>
      <ImportExport
        title={t('ctl.ioTitle')}
        hint={t('ctl.ioHint')}
        exportHref="/api/admin/control-points/export"
        onImport={importControlPoints}
        testId="control-point-import-export"
      />
    </section>
  );
}
