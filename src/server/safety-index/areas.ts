import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Area, AreaGeometry } from '../../domain/areas.js';
import { AreaPlacer, districtMonth } from '../../domain/safety-index.js';
import { isPostgres } from '../db/dialect.js';
import type { AreaTable, Tables } from '../db/schema.js';
import { HttpError } from '../errors.js';

// The areas table (migration 0019): rows to domain areas and back, the checks an import or the
// demo seed must pass before areas are written, and the places of the unit's incidents in them
// (migration 0022), worked out again whenever they are written.

type Db = Kysely<Tables> | Transaction<Tables>;

/** A stored area as the domain sees it. */
function areaFromRow(row: Selectable<AreaTable>): Area {
  return {
    id: row.id,
    level: row.level,
    parentId: row.parent_id,
    name: { 'zh-CN': row.name_zh, en: row.name_en },
    population: Number(row.population),
    geometry: JSON.parse(row.geometry) as AreaGeometry,
    approximate: row.approximate === 1,
  };
}

/**
 * The placers of these units' areas, for incidents being stored. On PostgreSQL the units' rows
 * are share-locked until the transaction ends: an area import (which locks its unit's row for
 * update) then waits for these incidents to be stored, and places them again with the rest, so
 * none keeps a place worked out against areas that changed meanwhile.
 */
export async function areaPlacers(trx: Transaction<Tables>, unitIds: readonly string[]): Promise<Map<string, AreaPlacer>> {
  if (unitIds.length === 0) return new Map();
  if (isPostgres<Tables>(trx)) await trx.selectFrom('units').select('id').where('id', 'in', unitIds).forShare().execute();
  return new Map(await Promise.all(unitIds.map(async (id) => [id, new AreaPlacer(await unitAreas(trx, id))] as const)));
}

/** Incidents re-placed per UPDATE statement. */
const PLACE_CHUNK = 500;

/**
 * Works out again where each of the unit's incidents counts (its district month, town or street
 * and community) and rewrites those that changed; call in the transaction that changed the areas.
 * Returns how many changed.
 */
export async function placeIncidents(trx: Transaction<Tables>, unitId: string): Promise<number> {
  if (isPostgres<Tables>(trx)) await trx.selectFrom('units').select('id').where('id', '=', unitId).forUpdate().execute();
  const placer = new AreaPlacer(await unitAreas(trx, unitId));
  const rows = await trx
    .selectFrom('incidents')
    .select(['incident_id', 'occurred_at', 'lat', 'lon', 'district_month', 'town_id', 'community_id'])
    .where('unit_id', '=', unitId)
    .execute();
  // Incidents that move, by where they move to: one UPDATE per place and chunk, not per incident.
  const moves = new Map<string, { place: { district_month: string; town_id: string | null; community_id: string | null }; ids: string[] }>();
  for (const row of rows) {
    const { townId, communityId } = placer.place(row.lon === null ? null : Number(row.lon), row.lat === null ? null : Number(row.lat));
    const month = districtMonth(row.occurred_at);
    if (row.district_month === month && row.town_id === townId && row.community_id === communityId) continue;
    const key = `${month}|${townId ?? ''}|${communityId ?? ''}`;
    const move = moves.get(key) ?? { place: { district_month: month, town_id: townId, community_id: communityId }, ids: [] };
    move.ids.push(row.incident_id);
    moves.set(key, move);
  }
  let changed = 0;
  for (const { place, ids } of moves.values()) {
    for (let i = 0; i < ids.length; i += PLACE_CHUNK) {
      await trx
        .updateTable('incidents')
        .set(place)
        .where('incident_id', 'in', ids.slice(i, i + PLACE_CHUNK))
        .execute();
    }
    changed += ids.length;
  }
  return changed;
}

/** Places the incidents of every unit again (what migration 0022 asks for once, for incidents stored before it). */
export async function placeAllIncidents(db: Kysely<Tables>): Promise<number> {
  const units = await db.selectFrom('incidents').select('unit_id').distinct().execute();
  let changed = 0;
  for (const { unit_id } of units) changed += await db.transaction().execute((trx) => placeIncidents(trx, unit_id));
  return changed;
}

/** The unit's areas: towns and streets first, then communities, each by Chinese name. */
export async function unitAreas(db: Db, unitId: string): Promise<Area[]> {
  const rows = await db.selectFrom('areas').selectAll().where('unit_id', '=', unitId).execute();
  const areas = rows.map(areaFromRow);
  const levelOrder = (a: Area) => (a.level === 'town' ? 0 : 1);
  return areas.sort((a, b) => levelOrder(a) - levelOrder(b) || a.name['zh-CN'].localeCompare(b.name['zh-CN'], 'zh-CN') || (a.id < b.id ? -1 : 1));
}

/**
 * Writes areas of one unit, all or nothing (call in a transaction): new ids are created, known
 * ones replaced, and the unit's incidents placed again in them (`moved`: how many changed
 * area). An id of another unit's area is refused (403), and a community's parent must be a town
 * or street of this unit, in the same batch or already stored (400).
 */
export async function writeAreas(
  trx: Transaction<Tables>,
  unitId: string,
  areas: readonly Area[],
  at: string,
): Promise<{ created: number; updated: number; moved: number }> {
  if (areas.length === 0) return { created: 0, updated: 0, moved: 0 };
  const ids = areas.map((a) => a.id);
  const parentIds = [...new Set(areas.flatMap((a) => (a.parentId ? [a.parentId] : [])))];
  const stored = await trx
    .selectFrom('areas')
    .select(['id', 'unit_id', 'level'])
    .where('id', 'in', [...ids, ...parentIds])
    .execute();
  const foreign = stored.find((r) => r.unit_id !== unitId);
  if (foreign) throw new HttpError(403, 'forbidden', `area ${foreign.id} belongs to another unit`);
  const levels = new Map<string, string>(stored.map((r) => [r.id, r.level]));
  for (const a of areas) levels.set(a.id, a.level);
  for (const a of areas) {
    if (a.parentId === null) continue;
    const parentLevel = levels.get(a.parentId);
    if (parentLevel !== 'town') throw new HttpError(400, 'bad-request', `“${a.name['zh-CN']}”: parent_id ${a.parentId} is not a town or street of your unit`);
  }
  const existing = new Set(stored.filter((r) => ids.includes(r.id)).map((r) => r.id));
  // Towns first: a community's parent must exist when the community is written.
  const ordered = [...areas].sort((a, b) => (a.level === b.level ? 0 : a.level === 'town' ? -1 : 1));
  for (const a of ordered) {
    const columns = {
      unit_id: unitId,
      level: a.level,
      parent_id: a.parentId,
      name_zh: a.name['zh-CN'],
      name_en: a.name.en,
      population: a.population,
      geometry: JSON.stringify(a.geometry),
      approximate: a.approximate ? 1 : 0,
      updated_at: at,
    };
    if (existing.has(a.id)) await trx.updateTable('areas').set(columns).where('id', '=', a.id).execute();
    else
      await trx
        .insertInto('areas')
        .values({ id: a.id, ...columns })
        .execute();
  }
  return { created: areas.length - existing.size, updated: existing.size, moved: await placeIncidents(trx, unitId) };
}
