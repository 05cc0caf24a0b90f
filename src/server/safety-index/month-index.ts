import { sql, type Kysely } from 'kysely';
import type { SafetyIndexResponse } from '../../domain/protocol/safety-index.js';
import { indexFromCounts, monthsEnding, preventableCodes, type IndexCount, type Month } from '../../domain/safety-index.js';
import type { Tables } from '../db/schema.js';
import { unitTaxonomy } from '../incidents/taxonomy.js';
import { unitAreas } from './areas.js';

/** Months the index answer carries: the trend chart's year, which includes last month for the change. */
const INDEX_MONTHS = 12;

/**
 * The unit's index for `month` and the eleven before it. Each incident's district month and
 * areas were worked out where it was stored (areas.ts placeIncidents, records/incidents.ts), so
 * the database counts them, grouped, from one index (migration 0022); the domain turns the
 * counts into the index by the unit's taxonomy.
 */
export async function unitIndex(db: Kysely<Tables>, unitId: string, month: Month): Promise<SafetyIndexResponse> {
  const months = monthsEnding(month, INDEX_MONTHS);
  const unplaced = sql<number>`case when lat is null then 1 else 0 end`;
  const [areas, categories, rows] = await Promise.all([
    unitAreas(db, unitId),
    unitTaxonomy(db, unitId),
    db
      .selectFrom('incidents')
      .select((eb) => [
        'district_month',
        'category',
        'town_id',
        'community_id',
        'demo',
        unplaced.as('unplaced'),
        eb.fn.countAll<number | string>().as('n'),
        eb.fn.sum<number | string>('dead').as('dead'),
      ])
      .where('unit_id', '=', unitId)
      .where('district_month', '>=', months[0] ?? month)
      .where('district_month', '<=', month)
      .groupBy(['district_month', 'category', 'town_id', 'community_id', 'demo', unplaced])
      .execute(),
  ]);
  const counts = rows.map((r): IndexCount => ({
    month: r.district_month ?? '',
    category: r.category,
    placed: Number(r.unplaced) === 0,
    townId: r.town_id,
    communityId: r.community_id,
    demo: Number(r.demo) === 1,
    incidents: Number(r.n),
    dead: Number(r.dead),
  }));
  return {
    month,
    months: indexFromCounts(areas, counts, months, categories),
    areas: areas.map(({ geometry: _boundary, ...area }) => area),
    preventable: preventableCodes(categories),
  };
}
