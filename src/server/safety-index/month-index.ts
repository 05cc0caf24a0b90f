import type { Kysely } from 'kysely';
import { DEFAULT_INCIDENT_CATEGORIES } from '../../domain/incidents.js';
import type { SafetyIndexResponse } from '../../domain/protocol/safety-index.js';
import { addMonths, computeIndex, monthStart, monthsEnding, preventableCodes, type IndexIncident, type Month } from '../../domain/safety-index.js';
import type { Tables } from '../db/schema.js';
import { unitAreas } from './areas.js';

/** Months the index answer carries: the trend chart's year, which includes last month for the change. */
const INDEX_MONTHS = 12;

/**
 * The unit's index for `month` and the eleven before it: its areas, and its incidents of those
 * months by incident time in district time, read from the derived `incidents` table.
 */
export async function unitIndex(db: Kysely<Tables>, unitId: string, month: Month): Promise<SafetyIndexResponse> {
  const months = monthsEnding(month, INDEX_MONTHS);
  const from = monthStart(months[0] ?? month);
  const to = monthStart(addMonths(month, 1));
  const [areas, rows] = await Promise.all([
    unitAreas(db, unitId),
    db
      .selectFrom('incidents')
      .select(['category', 'occurred_at', 'lat', 'lon', 'dead', 'demo'])
      .where('unit_id', '=', unitId)
      .where('occurred_at', '>=', from)
      .where('occurred_at', '<', to)
      .execute(),
  ]);
  const incidents = rows.map((r): IndexIncident => ({
    category: r.category,
    occurredAt: r.occurred_at,
    lat: r.lat === null ? null : Number(r.lat),
    lon: r.lon === null ? null : Number(r.lon),
    dead: Number(r.dead),
    demo: Number(r.demo) === 1,
  }));
  return {
    month,
    months: computeIndex(areas, incidents, months, DEFAULT_INCIDENT_CATEGORIES),
    areas: areas.map(({ geometry: _boundary, ...area }) => area),
    preventable: preventableCodes(DEFAULT_INCIDENT_CATEGORIES),
  };
}
