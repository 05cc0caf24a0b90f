import { useSignal } from '@preact/signals';
import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { CoverageResponse } from '../../../domain/protocol/coverage.js';
import { formatDuration, formatTime, locale, t } from '../../i18n/index.js';
import type { CoverageMapProps } from '../../map/CoverageMap.js';
import { zones } from '../../state/local-copies.js';
import { reportError } from '../../state/notices.js';
import { usePolledApi } from '../../state/use-polled-api.js';

const REFRESH_MS = 60_000;
/** The windows a leader picks from, in hours back from now. */
const WINDOWS_H = [2, 6, 12, 24] as const;
/** "Not seen for more than" choices, in hours. */
const UNSEEN_H = [1, 2, 4, 8] as const;
/** Legend colours, the map's own (CoverageMap.tsx AGE_COLOURS); repeated here so the panel does not load the map chunk. */
const LEGEND = [
  ['coverage.legendFresh', '#2f9e44'],
  ['coverage.legendRecent', '#f2c94c'],
  ['coverage.legendStale', '#f08c00'],
  ['coverage.legendNever', '#d6336c'],
] as const;

const percent = (ratio: number) => `${Math.round(ratio * 1000) / 10}%`;

/**
 * Beat coverage of one zone (issue 13): how much of it the squad (leader) or unit (supervisor)
 * passed in the last hours, per officer; a map of its H3 cells coloured by the time since last
 * passed; the areas nobody has seen for longer than the chosen limit; the zone's checkpoints.
 */
export function Coverage() {
  const zoneId = useSignal('');
  const windowH = useSignal<number>(12);
  const unseenH = useSignal<number>(2);
  const zone = zones.value.find((z) => z.id === zoneId.value) ?? zones.value[0];
  return (
    <section class="panel" aria-label={t('coverage.title')} data-testid="coverage">
      <h2>{t('coverage.title')}</h2>
      {!zone ? (
        <p class="muted">{t('coverage.noZones')}</p>
      ) : (
        <>
          <div class="coverage-pickers">
            <label>
              {t('coverage.zone')}
              <select value={zone.id} onChange={(e) => (zoneId.value = e.currentTarget.value)}>
                {zones.value.map((z) => (
                  <option key={z.id} value={z.id}>
                    {z.name[locale.value]}
                  </option>
                ))}
              </select>
            </label>
            <label>
              {t('coverage.window')}
              <select value={windowH.value} onChange={(e) => (windowH.value = Number(e.currentTarget.value))}>
                {WINDOWS_H.map((h) => (
                  <option key={h} value={h}>
                    {t('coverage.lastHours', { n: h })}
                  </option>
                ))}
              </select>
            </label>
            <label>
              {t('coverage.unseenLimit')}
              <select value={unseenH.value} onChange={(e) => (unseenH.value = Number(e.currentTarget.value))}>
                {UNSEEN_H.map((h) => (
                  <option key={h} value={h}>
                    {t('coverage.hours', { n: h })}
                  </option>
                ))}
              </select>
            </label>
          </div>
          <CoverageReport key={`${zone.id}-${windowH.value}-${unseenH.value}`} zoneId={zone.id} windowH={windowH.value} unseenH={unseenH.value} />
        </>
      )}
    </section>
  );
}

function CoverageReport({ zoneId, windowH, unseenH }: { zoneId: string; windowH: number; unseenH: number }) {
  // The window is fixed when the picker changes (this component is keyed on it); the poll then follows now.
  const [from] = useState(() => new Date(Date.now() - windowH * 3600_000).toISOString());
  const path = `/api/coverage?zoneId=${zoneId}&from=${from}&unseenHours=${unseenH}`;
  const { data, offline } = usePolledApi<CoverageResponse>(path, REFRESH_MS, ['shift']);
  const zone = zones.value.find((z) => z.id === zoneId);
  const report = data.value;
  return (
    <div class="stack" data-testid="coverage-report" data-zone={zoneId}>
      {offline.value && <p class="form-error">{t('leader.needsNetwork')}</p>}
      {report && (
        <>
          <p class="coverage-total" data-testid="coverage-squad" data-ratio={report.squad.ratio}>
            <strong>{percent(report.squad.ratio)}</strong> {t('coverage.squadShare', { passed: report.squad.passed, cells: report.cellCount })}
          </p>
          <p class="muted">{t('coverage.since', { from: formatTime(report.from), to: formatTime(report.asOf) })}</p>
          <ul class="due-list" aria-label={t('coverage.officers')}>
            {report.officers.map((o) => (
              <li key={o.officerId} class="due" data-officer={o.badge} data-ratio={o.ratio}>
                <span class="due-name">{t('person.nameBadge', { name: o.name, badge: o.badge })}</span>
                <span class="due-status">{percent(o.ratio)}</span>
                <meter class="due-when" min={0} max={1} value={o.ratio} aria-label={percent(o.ratio)} />
              </li>
            ))}
          </ul>
          {zone && <LazyCoverageMap zone={zone} cells={report.cells} asOf={report.asOf} unseenHours={report.unseenHours} />}
          <ul class="coverage-legend">
            {LEGEND.map(([key, colour]) => (
              <li key={key}>
                <span class="coverage-swatch" style={{ background: colour }} aria-hidden="true" />
                {t(key, { n: report.unseenHours })}
              </li>
            ))}
          </ul>
          <h3>{t('coverage.unseenTitle', { n: report.unseenHours })}</h3>
          {report.unseen.length === 0 ? (
            <p class="muted">{t('coverage.unseenNone')}</p>
          ) : (
            <ul class="rejected-list" data-testid="coverage-unseen">
              {report.unseen.map((area) => (
                <li key={area.cells[0]} data-cells={area.cells.length}>
                  <strong>
                    {area.areaM2 >= 100_000 ? t('coverage.km2', { n: (area.areaM2 / 1e6).toFixed(2) }) : t('coverage.m2', { n: Math.round(area.areaM2) })}
                  </strong>
                  <span class="muted">
                    {' · '}
                    {area.lastPassedAt
                      ? t('coverage.lastPassed', { duration: formatDuration((Date.parse(report.asOf) - Date.parse(area.lastPassedAt)) / 60_000) })
                      : t('coverage.notPassed')}
                  </span>
                </li>
              ))}
            </ul>
          )}
          <h3>{t('coverage.checkpoints')}</h3>
          {report.checkpoints.length === 0 ? (
            <p class="muted">{t('coverage.noCheckpoints')}</p>
          ) : (
            <ul class="due-list">
              {report.checkpoints.map((c) => (
                <li key={c.checkpointId} class={`due ${c.ratio === null ? 'due-upcoming' : c.ratio < 1 ? 'due-missed' : 'due-done'}`}>
                  <span class="due-name">{c.name[locale.value]}</span>
                  <span class="due-status">{c.ratio === null ? t('completion.noneRequired') : t('compliance.met', { met: c.met, needed: c.needed })}</span>
                  <span class="due-when muted">
                    {c.lastVerifiedAt ? t('compliance.lastVerified', { time: formatTime(c.lastVerifiedAt) }) : t('compliance.neverVerified')}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </div>
  );
}

/** The coverage map, loaded with maplibre only when a report is on screen. */
function LazyCoverageMap(props: CoverageMapProps) {
  const [Map, setMap] = useState<ComponentType<CoverageMapProps> | null>(null);
  useEffect(() => {
    import('../../map/CoverageMap.js').then((m) => setMap(() => m.CoverageMap), reportError);
  }, []);
  return Map ? <Map {...props} /> : <div class="map map-loading">{t('map.loading')}</div>;
}
