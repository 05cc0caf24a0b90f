import type { ImportOutcome } from '../../../domain/protocol/admin.js';
import type { AreasResponse } from '../../../domain/protocol/safety-index.js';
import { api } from '../../../store/api.js';
import { locale, t } from '../../i18n/index.js';
import { usePolledApi } from '../../state/use-polled-api.js';
import { ImportExport } from './ImportExport.js';

const REFRESH_MS = 10 * 60_000;

/**
 * The areas the safety index is published for (issue 15): the unit's towns and streets with
 * their communities and populations, and the GeoJSON import of the official boundaries, all or
 * nothing, as for checkpoints and control points.
 */
export function AreasPanel() {
  const { data } = usePolledApi<AreasResponse>('/api/areas', REFRESH_MS);
  const areas = data.value?.areas ?? [];
  const towns = areas.filter((a) => a.level === 'town');
  async function importAreas(collection: unknown): Promise<ImportOutcome> {
    const outcome = await api<ImportOutcome>('/api/admin/areas/import', { method: 'POST', body: collection });
    data.value = await api<AreasResponse>('/api/areas');
    return outcome;
  }
  return (
    <>
      <section class="panel stack" aria-labelledby="areas-title" data-testid="areas-panel">
        <h2 id="areas-title">{t('areas.title')}</h2>
        <p class="muted">{t('areas.hint')}</p>
        {areas.length === 0 ? (
          <p class="muted">{t('areas.none')}</p>
        ) : (
          <ul class="rejected-list">
            {towns.map((town) => (
              <li key={town.id} data-area={town.id}>
                <strong>{town.name[locale.value]}</strong>
                <span class="muted"> · {t('areas.population', { n: town.population.toLocaleString(locale.value) })}</span>
                {town.approximate && <span class="badge-approx">{t('index.approximate')}</span>}
                {areas
                  .filter((c) => c.parentId === town.id)
                  .map((c) => (
                    <div key={c.id} class="muted area-community" data-area={c.id}>
                      {t('areas.level.community')} · {c.name[locale.value]} · {t('areas.population', { n: c.population.toLocaleString(locale.value) })}
                    </div>
                  ))}
              </li>
            ))}
          </ul>
        )}
      </section>
      <ImportExport
        title={t('areas.ioTitle')}
        hint={t('areas.ioHint')}
        exportHref="/api/admin/areas/export"
        onImport={importAreas}
        testId="areas-import-export"
      />
    </>
  );
}
