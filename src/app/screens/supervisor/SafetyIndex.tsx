import { printPart } from '../../print.js';
import { useSignal } from '@preact/signals';
import type { ComponentType } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { AreasResponse, SafetyIndexResponse } from '../../../domain/protocol/safety-index.js';
import { addMonths, districtMonth, TOWN_MEASURES, townValue, type TownMeasure } from '../../../domain/safety-index.js';
import { downloadText } from '../../download.js';
import { locale, t } from '../../i18n/index.js';
import type { IndexMapProps } from '../../map/IndexMap.js';
import { reportError } from '../../state/notices.js';
import { usePolledApi } from '../../state/use-polled-api.js';
import { categoryName } from '../incident-text.js';
import { IndexTrend } from './IndexTrend.js';
import { areaName, changeClass, formatChange, formatValue, indexCsv, measureLabel, ranking } from './index-view.js';

const REFRESH_MS = 5 * 60_000;
/** Months a supervisor picks from: this one and the eleven before. */
const PICKABLE_MONTHS = 12;
/** The map's scale colours (IndexMap.tsx INDEX_COLOURS), repeated so the panel does not load the map chunk. */
const LEGEND_COLOURS = ['#2f9e44', '#f2c94c', '#d6336c'] as const;

/**
 * The published safety index (平安指数) of the unit and its preventable-crime index (警情指数),
 * issue 15: towns and streets ranked best to worst by the chosen measure with the change from
 * last month, a choropleth of it, an area's year as a trend, the communities' preventable kinds,
 * a CSV and an A4 print view (styles.css @media print) a unit would publish.
 */
export function SafetyIndex() {
  const thisMonth = districtMonth(Date.now());
  // A unit publishes the last whole month.
  const month = useSignal(addMonths(thisMonth, -1));
  const measure = useSignal<TownMeasure>('rate:criminal-order');
  const chosenArea = useSignal<string | null>(null);
  const { data, offline } = usePolledApi<SafetyIndexResponse>(`/api/safety-index?month=${month.value}`, REFRESH_MS);
  const answer = data.value;
  const months = Array.from({ length: PICKABLE_MONTHS }, (_, i) => addMonths(thisMonth, -i));
  return (
    <section class="panel safety-index" aria-labelledby="safety-index-title" data-testid="safety-index">
      <h2 id="safety-index-title">{t('index.title')}</h2>
      <p class="print-only index-print-title">{t('index.printTitle', { month: month.value })}</p>
      <div class="coverage-pickers no-print">
        <label>
          {t('index.month')}
          <select value={month.value} onChange={(e) => (month.value = e.currentTarget.value)} data-testid="index-month">
            {months.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('index.measure')}
          <select value={measure.value} onChange={(e) => (measure.value = e.currentTarget.value as TownMeasure)} data-testid="index-measure">
            {TOWN_MEASURES.map((m) => (
              <option key={m} value={m}>
                {measureLabel(m)}
              </option>
            ))}
          </select>
        </label>
      </div>
      {offline.value && <p class="form-error">{t('leader.needsNetwork')}</p>}
      {answer && answer.month === month.value && (
        <IndexReport answer={answer} measure={measure.value} chosenArea={chosenArea.value} onChoose={(id) => (chosenArea.value = id)} />
      )}
    </section>
  );
}

function IndexReport({
  answer,
  measure,
  chosenArea,
  onChoose,
}: {
  answer: SafetyIndexResponse;
  measure: TownMeasure;
  chosenArea: string | null;
  onChoose: (id: string) => void;
}) {
  const current = answer.months.at(-1);
  const ranked = useMemo(() => ranking(answer, measure), [answer, measure, locale.value]);
  if (!current) return null;
  const towns = answer.areas.filter((a) => a.level === 'town');
  if (towns.length === 0) return <p class="muted">{t('index.noAreas')}</p>;
  const approximate = answer.areas.some((a) => a.approximate);
  // The trend follows the area picked; by default the worst of the month, the one a reader asks about.
  const trendArea = chosenArea ?? ranked.at(-1)?.areaId ?? towns[0]?.id ?? '';
  const top = Math.max(0, ...ranked.map((r) => r.value));
  return (
    <div class="stack" data-testid="index-report" data-month={answer.month}>
      <p class="muted index-notes">
        {approximate && <span class="badge-approx">{t('index.approximateAreas')}</span>}{' '}
        {current.demo > 0 && (
          <span class="badge-approx index-demo" data-testid="index-demo">
            {t('index.demoIncidents', { n: current.demo })}
          </span>
        )}{' '}
        {t('index.totals', { incidents: current.incidents, unplaced: current.unplaced, outside: current.outside })}
      </p>
      <h3>{t('index.rankingTitle', { measure: measureLabel(measure) })}</h3>
      <div class="table-scroll">
        <table class="index-table" data-testid="index-ranking">
          <thead>
            <tr>
              <th>{t('index.rank')}</th>
              <th>{t('index.town')}</th>
              <th class="num">{measure.startsWith('rate:') ? t('index.per10k') : t('index.deaths')}</th>
              <th class="num">{t('index.change')}</th>
              <th class="num">{t('index.count')}</th>
            </tr>
          </thead>
          <tbody>
            {ranked.map((r) => {
              const town = current.towns.find((x) => x.areaId === r.areaId);
              const group = measure.split(':')[1] as 'criminal-order' | 'fire' | 'traffic';
              const area = answer.areas.find((a) => a.id === r.areaId);
              return (
                <tr key={r.areaId} data-area={r.areaId} aria-selected={r.areaId === trendArea} onClick={() => onChoose(r.areaId)}>
                  <td>{r.rank}</td>
                  <td>
                    <button type="button" class="link" onClick={() => onChoose(r.areaId)}>
                      {area?.name[locale.value] ?? r.areaId}
                    </button>
                    {/* Marked row by row only when the month mixes demo and real incidents; all demo is said once above. */}
                    {town && town.demo > 0 && current.demo < current.incidents && <span class="index-demo-mark"> {t('index.demoMark')}</span>}
                  </td>
                  <td class="num" data-value={r.value}>
                    {formatValue(measure, r.value)}
                  </td>
                  <td class={`num change-${changeClass(r.change)}`}>{formatChange(measure, r.change)}</td>
                  <td class="num">{town ? town.counts[group] : 0}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <div class="no-print">
        <LazyIndexMapLoader answer={answer} measure={measure} top={top} ranked={ranked} selectedId={trendArea} />
        <ul class="coverage-legend">
          {LEGEND_COLOURS.map((colour, i) => (
            <li key={colour}>
              <span class="coverage-swatch" style={{ background: colour }} aria-hidden="true" />
              {formatValue(measure, (top * i) / 2)}
            </li>
          ))}
        </ul>
      </div>
      <h3>{t('index.trendTitle', { area: areaName(answer.areas, trendArea) })}</h3>
      <IndexTrend answer={answer} measure={measure} areaId={trendArea} />
      <h3>{t('index.communitiesTitle')}</h3>
      {current.communities.length === 0 ? (
        <p class="muted">{t('index.noCommunities')}</p>
      ) : (
        <div class="table-scroll">
          <table class="index-table" data-testid="index-communities">
            <thead>
              <tr>
                <th>{t('index.community')}</th>
                {answer.preventable.map((code) => (
                  <th key={code} class="num">
                    {categoryName(code)}
                  </th>
                ))}
                <th class="num">{t('index.total')}</th>
              </tr>
            </thead>
            <tbody>
              {[...current.communities]
                .sort((a, b) => a.total - b.total || areaName(answer.areas, a.areaId).localeCompare(areaName(answer.areas, b.areaId)))
                .map((c) => (
                  <tr key={c.areaId} data-area={c.areaId}>
                    <td>
                      {areaName(answer.areas, c.areaId)}
                      <span class="muted"> · {areaName(answer.areas, answer.areas.find((a) => a.id === c.areaId)?.parentId ?? '')}</span>
                    </td>
                    {answer.preventable.map((code) => (
                      <td key={code} class="num">
                        {c.counts[code] ?? 0}
                      </td>
                    ))}
                    <td class="num">{c.total}</td>
                  </tr>
                ))}
            </tbody>
          </table>
        </div>
      )}
      <div class="row no-print">
        <button
          type="button"
          data-testid="index-csv"
          onClick={() => downloadText(indexCsv(answer, measure), `safety-index-${answer.month}.csv`, 'text/csv;charset=utf-8')}
        >
          {t('index.csv')}
        </button>
        <button type="button" data-testid="index-print" onClick={() => printPart('index')}>
          {t('index.print')}
        </button>
      </div>
    </div>
  );
}

/** Loads the areas' boundaries (once) and the map chunk only when the index is on screen. */
function LazyIndexMapLoader({
  answer,
  measure,
  top,
  ranked,
  selectedId,
}: {
  answer: SafetyIndexResponse;
  measure: TownMeasure;
  top: number;
  ranked: ReadonlyArray<{ areaId: string; rank: number }>;
  selectedId: string;
}) {
  const { data } = usePolledApi<AreasResponse>('/api/areas', 60 * 60_000);
  const [Map, setMap] = useState<ComponentType<IndexMapProps> | null>(null);
  useEffect(() => {
    import('../../map/IndexMap.js').then((m) => setMap(() => m.IndexMap), reportError);
  }, []);
  const towns = useMemo(() => (data.value?.areas ?? []).filter((a) => a.level === 'town'), [data.value]);
  const values = useMemo(() => {
    const current = answer.months.at(-1);
    return new globalThis.Map((current?.towns ?? []).map((town) => [town.areaId, townValue(town, measure)]));
  }, [answer, measure]);
  const ranks = useMemo(() => new globalThis.Map(ranked.map((r) => [r.areaId, r.rank])), [ranked]);
  return Map && data.value ? (
    <Map towns={towns} values={values} ranks={ranks} top={top} selectedId={selectedId} />
  ) : (
    <div class="map map-loading">{t('map.loading')}</div>
  );
}
