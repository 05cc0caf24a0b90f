import type { IndexArea, SafetyIndexResponse } from '../../../domain/protocol/safety-index.js';
import { INDEX_GROUPS, rankTowns, type MonthIndex, type TownMeasure } from '../../../domain/safety-index.js';
import { locale, t, type MessageKey } from '../../i18n/index.js';
import { categoryName } from '../incident-text.js';

// What the safety index screen, its CSV and its print view show of an answer, worked out once.

/** The measure's label, e.g. "刑事治安警情（每万人）". */
export function measureLabel(measure: TownMeasure): string {
  const [kind, group] = measure.split(':') as ['rate' | 'deaths', (typeof INDEX_GROUPS)[number]];
  return t(kind === 'rate' ? 'index.measureRate' : 'index.measureDeaths', { group: t(`index.group.${group}` as MessageKey) });
}

/** A measure's value as the table prints it: rates to two decimals, deaths whole. */
export function formatValue(measure: TownMeasure, value: number): string {
  return measure.startsWith('rate:') ? value.toFixed(2) : String(value);
}

/** "+0.12" / "−0.05" / "0.00": a change as the table prints it. */
export function formatChange(measure: TownMeasure, change: number | null): string {
  if (change === null) return '—';
  const text = formatValue(measure, Math.abs(change));
  return change > 0 ? `+${text}` : change < 0 ? `−${text}` : text;
}

export function areaName(areas: readonly IndexArea[], id: string): string {
  return areas.find((a) => a.id === id)?.name[locale.value] ?? id;
}

/** The unit as a whole for the measure: all towns' incidents over all their residents, or all their deaths. */
export function unitValue(areas: readonly IndexArea[], month: MonthIndex, measure: TownMeasure): number {
  const [kind, group] = measure.split(':') as ['rate' | 'deaths', (typeof INDEX_GROUPS)[number]];
  if (kind === 'deaths') return month.towns.reduce((sum, town) => sum + town.deaths[group], 0);
  const residents = month.towns.reduce((sum, town) => sum + (areas.find((a) => a.id === town.areaId)?.population ?? 0), 0);
  const count = month.towns.reduce((sum, town) => sum + town.counts[group], 0);
  return residents > 0 ? (count * 10_000) / residents : 0;
}

/** The ranking of the answer's month by the measure, with the change from the month before. */
export function ranking(answer: SafetyIndexResponse, measure: TownMeasure) {
  const current = answer.months.at(-1);
  if (!current) return [];
  return rankTowns(current, answer.months.at(-2), measure, (id) => areaName(answer.areas, id), locale.value);
}

const csvCell = (value: string | number) => {
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/** The month's index as CSV: the towns (ranked by the measure), then the communities; UTF-8 with a BOM so spreadsheets read the Chinese. */
export function indexCsv(answer: SafetyIndexResponse, measure: TownMeasure): string {
  const month = answer.months.at(-1);
  if (!month) return '';
  const rows: Array<Array<string | number>> = [];
  rows.push([t('index.csvMonth'), answer.month, measureLabel(measure)]);
  rows.push([
    t('index.rank'),
    t('index.town'),
    t('index.population'),
    ...INDEX_GROUPS.flatMap((g) => {
      const group = t(`index.group.${g}` as MessageKey);
      return [t('index.csvCount', { group }), t('index.csvRate', { group }), t('index.csvDeaths', { group })];
    }),
    t('index.change'),
    t('index.approximate'),
    t('index.demoCount'),
  ]);
  for (const r of ranking(answer, measure)) {
    const town = month.towns.find((x) => x.areaId === r.areaId);
    const area = answer.areas.find((a) => a.id === r.areaId);
    if (!town || !area) continue;
    rows.push([
      r.rank,
      area.name[locale.value],
      area.population,
      ...INDEX_GROUPS.flatMap((g) => [town.counts[g], town.rates[g].toFixed(2), town.deaths[g]]),
      formatChange(measure, r.change),
      area.approximate ? t('index.yes') : t('index.no'),
      town.demo,
    ]);
  }
  rows.push([]);
  rows.push([t('index.community'), t('index.town'), ...answer.preventable.map(categoryName), t('index.total'), t('index.demoCount')]);
  for (const c of month.communities) {
    const area = answer.areas.find((a) => a.id === c.areaId);
    rows.push([
      area?.name[locale.value] ?? c.areaId,
      areaName(answer.areas, area?.parentId ?? ''),
      ...answer.preventable.map((code) => c.counts[code] ?? 0),
      c.total,
      c.demo,
    ]);
  }
  rows.push([]);
  rows.push([t('index.csvTotals', { incidents: month.incidents, unplaced: month.unplaced, outside: month.outside, demo: month.demo })]);
  return `\ufeff${rows.map((row) => row.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

/** Whether a change is for the better (lower is better in every measure). */
export function changeClass(change: number | null): string {
  return change === null || change === 0 ? 'same' : change < 0 ? 'better' : 'worse';
}
