import { useSignal } from '@preact/signals';
import { useMemo } from 'preact/hooks';
import { newId } from '../../../domain/ids.js';
import { smallestContaining } from '../../../domain/shape-hit.js';
import { locale, t } from '../../i18n/index.js';
import { LazyZoneMap } from '../../map/LazyMap.js';
import { localName, squads, zones } from './admin-store.js';
import { draftFromZone, newZoneDraft, type ZoneDraft } from './drafts.js';
import { OutlineTools, ZoneForm } from './ZoneForm.js';

/** One colour per squad, in the order of their codes: distinct on the dark map and to most colour-blind eyes. */
const SQUAD_COLOURS = ['#4dabf7', '#ff922b', '#69db7c', '#da77f2', '#ffd43b', '#38d9a9', '#f783ac', '#a9e34b'];

/**
 * The unit's patrol zones on a map, each squad in its colour, and in a list; a new zone is drawn by
 * tapping its corners on the map, a zone picked (on either) is edited beside them.
 */
export function ZonesPanel() {
  const draft = useSignal<ZoneDraft | null>(null);
  const colours = useMemo(() => new Map(squads.value.map((s, i) => [s.id, SQUAD_COLOURS[i % SQUAD_COLOURS.length] ?? '#6ea8ff'])), [squads.value]);
  const current = draft.value;
  const drawing = current !== null && !current.closed;

  function mapClick(at: [number, number]) {
    if (current && !current.closed) {
      draft.value = { ...current, outline: [...current.outline, at] };
      return;
    }
    // Zones may overlap (a drawn one over the seeded ones): the smallest under the tap is the one meant.
    const hit = smallestContaining(
      zones.value.map((zone) => ({ zone, shape: { kind: 'polygon' as const, polygon: zone.polygon } })),
      at,
    );
    if (hit) draft.value = draftFromZone(hit.zone);
  }

  const squadName = (id: string) => {
    const squad = squads.value.find((s) => s.id === id);
    return squad ? localName(squad.name) : id;
  };
  const list = zones.value;
  const format = new Intl.NumberFormat(locale.value);
  return (
    <section class="panel admin-zones" aria-labelledby="admin-zones-title">
      <h2 id="admin-zones-title">{t('zones.title')}</h2>
      <div class="admin-grid">
        <div class="admin-map-column">
          <LazyZoneMap
            zones={list}
            colours={colours}
            editingId={current?.id ?? null}
            outline={current?.outline ?? []}
            closed={current?.closed ?? false}
            drawing={drawing}
            onClick={mapClick}
          />
          {current ? (
            <OutlineTools draft={current} onChange={(next) => (draft.value = next)} />
          ) : (
            <button
              type="button"
              class="primary"
              disabled={squads.value.length === 0}
              onClick={() => (draft.value = newZoneDraft(newId(), squads.value[0]?.id ?? ''))}
            >
              {t('zones.new')}
            </button>
          )}
        </div>
        <div class="admin-side">
          {current && (
            <ZoneForm
              draft={current}
              onChange={(next) => (draft.value = next)}
              onSaved={(saved) => (draft.value = draftFromZone(saved))}
              onDeleted={() => (draft.value = null)}
              onClose={() => (draft.value = null)}
            />
          )}
          <h3>{t('zones.list', { n: list.length })}</h3>
          {list.length === 0 && <p class="muted">{t('zones.none')}</p>}
          <ul class="admin-list" data-testid="zone-list">
            {list.map((z) => (
              <li key={z.id}>
                <button type="button" aria-current={current?.id === z.id ? 'true' : undefined} onClick={() => (draft.value = draftFromZone(z))}>
                  <span class="zone-swatch" style={{ background: colours.get(z.squadId) }} aria-hidden="true" />
                  <strong>{localName(z.name)}</strong>
                  <span class="muted">
                    {' '}
                    · {squadName(z.squadId)} ·{' '}
                    {z.population === null ? t('zones.populationUnknown') : t('zones.populationOf', { people: format.format(z.population) })}
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
