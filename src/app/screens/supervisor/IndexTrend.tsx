import type { SafetyIndexResponse } from '../../../domain/protocol/safety-index.js';
import { townValue, type TownMeasure } from '../../../domain/safety-index.js';
import { t } from '../../i18n/index.js';
import { areaName, formatValue, measureLabel, unitValue } from './index-view.js';

const WIDTH = 360;
const HEIGHT = 150;
const PAD = { left: 36, right: 18, top: 10, bottom: 22 };

/**
 * The chosen area's last twelve months of the measure as a line, over the whole unit's as a
 * dashed one: plain SVG (a chart library would be most of the screen's weight), printed as drawn.
 */
export function IndexTrend({ answer, measure, areaId }: { answer: SafetyIndexResponse; measure: TownMeasure; areaId: string }) {
  const ownValues = answer.months.map((m) => {
    const town = m.towns.find((x) => x.areaId === areaId);
    return town ? townValue(town, measure) : 0;
  });
  const unitValues = answer.months.map((m) => unitValue(answer.areas, m, measure));
  const top = Math.max(...ownValues, ...unitValues, measure.startsWith('rate:') ? 0.01 : 1);
  const x = (i: number) => PAD.left + (i * (WIDTH - PAD.left - PAD.right)) / Math.max(1, answer.months.length - 1);
  const y = (v: number) => PAD.top + (1 - v / top) * (HEIGHT - PAD.top - PAD.bottom);
  const line = (values: number[]) => values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
  const name = areaName(answer.areas, areaId);
  const summary = answer.months.map((m, i) => `${m.month}: ${formatValue(measure, ownValues[i] ?? 0)}`).join('; ');
  return (
    <figure class="index-trend" data-testid="index-trend" data-area={areaId}>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={t('index.trendLabel', { area: name, measure: measureLabel(measure), values: summary })}>
        <line class="axis" x1={PAD.left} y1={y(0)} x2={WIDTH - PAD.right} y2={y(0)} />
        <line class="grid" x1={PAD.left} y1={y(top)} x2={WIDTH - PAD.right} y2={y(top)} />
        <text class="tick" x={PAD.left - 4} y={y(top) + 4} text-anchor="end">
          {formatValue(measure, top)}
        </text>
        <text class="tick" x={PAD.left - 4} y={y(0) + 4} text-anchor="end">
          0
        </text>
        {answer.months.map((m, i) =>
          i % 3 === answer.months.length % 3 || i === answer.months.length - 1 ? (
            <text key={m.month} class="tick" x={x(i)} y={HEIGHT - 6} text-anchor="middle">
              {m.month.slice(2).replace('-', '/')}
            </text>
          ) : null,
        )}
        <polyline class="unit-line" points={line(unitValues)} />
        <polyline class="area-line" points={line(ownValues)} />
        {ownValues.map((v, i) => (
          <circle key={i} class="area-dot" cx={x(i)} cy={y(v)} r={2.5} />
        ))}
      </svg>
      <figcaption class="muted">
        <span class="legend-area">━ {name}</span> <span class="legend-unit">┅ {t('index.unitWhole')}</span>
      </figcaption>
    </figure>
  );
}
