import { useSignal } from '@preact/signals';
import { newId } from '../../../domain/ids.js';
import { pointInPolygon } from '../../../domain/geo.js';
import { smallestContaining } from '../../../domain/shape-hit.js';
import { t } from '../../i18n/index.js';
import { LazyPlaceMap } from '../../map/LazyMap.js';
import { checkpoints, localName, zones } from './admin-store.js';
import { CheckpointForm, TYPE_KEYS } from './CheckpointForm.js';
import { draftFromCheckpoint, draftShape, newCheckpointDraft, withCentre, type CheckpointDraft } from './drafts.js';

/** What the next map click does: pick a checkpoint, place a new one, or move the edited one's centre. */
type ClickMode = 'pick' | 'place' | 'move';

/** The unit's checkpoints on a map and in a list; the one picked (on either) is edited beside them. */
export function CheckpointsPanel() {
  const draft = useSignal<CheckpointDraft | null>(null);
  const mode = useSignal<ClickMode>('pick');

  /** The zone under a point, else the first zone: a new checkpoint starts where it was placed. */
  const zoneAt = (at: [number, number]) => (zones.value.find((z) => pointInPolygon(at[0], at[1], z.polygon.coordinates)) ?? zones.value[0])?.id ?? '';

  function mapClick(at: [number, number]) {
    if (mode.value === 'place') {
      draft.value = newCheckpointDraft(newId(), at, zoneAt(at));
      mode.value = 'pick';
    } else if (mode.value === 'move' && draft.value) {
      draft.value = withCentre(draft.value, at);
      mode.value = 'pick';
    } else {
      const hit = smallestContaining(checkpoints.value, at);
      if (hit) pick(hit.id);
    }
  }

  function pick(id: string) {
    const checkpoint = checkpoints.value.find((c) => c.id === id);
    if (checkpoint) draft.value = draftFromCheckpoint(checkpoint);
    mode.value = 'pick';
  }

  /** Keyboard path for "new": a circle in the middle of the first zone, whose coordinates the admin then types. */
  function placeWithoutMap() {
    const ring = zones.value[0]?.polygon.coordinates[0] ?? [];
    const lon = ring.reduce((sum, p) => sum + (p[0] ?? 0), 0) / (ring.length || 1);
    const lat = ring.reduce((sum, p) => sum + (p[1] ?? 0), 0) / (ring.length || 1);
    draft.value = newCheckpointDraft(newId(), [lon, lat], zoneAt([lon, lat]));
    mode.value = 'pick';
  }

  const current = draft.value;
  const list = checkpoints.value;
  const zoneName = (id: string) => {
    const zone = zones.value.find((z) => z.id === id);
    return zone ? localName(zone.name) : id;
  };
  return (
    <section class="panel admin-checkpoints" aria-labelledby="admin-cp-title">
      <h2 id="admin-cp-title">{t('admin.cp.title')}</h2>
      <div class="admin-grid">
        <div class="admin-map-column">
          <LazyPlaceMap
            zones={zones.value}
            checkpoints={list}
            selection={current ? draftShape(current) : null}
            placing={mode.value !== 'pick'}
            onClick={mapClick}
          />
          {mode.value === 'place' ? (
            <div class="admin-placing" role="status">
              <p class="hint">{t('admin.cp.placeHint')}</p>
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
              {t('admin.cp.new')}
            </button>
          )}
        </div>
        <div class="admin-side">
          {current && (
            <CheckpointForm
              draft={current}
              onChange={(next) => (draft.value = next)}
              moving={mode.value === 'move'}
              onMove={() => (mode.value = mode.value === 'move' ? 'pick' : 'move')}
              onSaved={(saved) => (draft.value = draftFromCheckpoint(saved))}
              onDeleted={() => (draft.value = null)}
              onClose={() => ((draft.value = null), (mode.value = 'pick'))}
            />
          )}
          <h3>{t('admin.cp.list', { n: list.length })}</h3>
          {list.length === 0 && <p class="muted">{t('admin.cp.none')}</p>}
          <ul class="admin-list" data-testid="checkpoint-list">
            {list.map((c) => (
              <li key={c.id}>
                <button type="button" aria-current={current?.id === c.id ? 'true' : undefined} onClick={() => pick(c.id)}>
                  <strong>{localName(c.name)}</strong>
                  <span class="muted">
                    {' '}
                    · {t(TYPE_KEYS[c.type])} · {zoneName(c.zoneId)} ·{' '}
                    {c.shape.kind === 'circle' ? t('admin.cp.circle', { r: c.shape.radiusM }) : t('admin.cp.polygon')}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </div>
      </div>
    </section>
  );
}
