import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Area, AreaGeometry } from '../../domain/areas.js';
import type { AreaTable, Tables } from '../db/schema.js';
import { HttpError } from '../errors.js';

// The areas table (migration 0019): rows to domain areas and back, and the checks an import or
// the demo seed must pass before areas are written.

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

/** The unit's areas: towns and streets first, then communities, each by Chinese name. */
export async function unitAreas(db: Db, unitId: string): Promise<Area[]> {
  const rows = await db.selectFrom('areas').selectAll().where('unit_id', '=', unitId).execute();
  const areas = rows.map(areaFromRow);
  const levelOrder = (a: Area) => (a.level === 'town' ? 0 : 1);
  return areas.sort((a, b) => levelOrder(a) - levelOrder(b) || a.name['zh-CN'].localeCompare(b.name['zh-CN'], 'zh-CN') || (a.id < b.id ? -1 : 1));
}

/**
 * Writes areas of one unit, all or nothing (call in a transaction): new ids are created, known
 * ones replaced. An id of another unit's area is refused (403), and a community's parent must
 * be a town or street of this unit, in the same batch or already stored (400).
 */
export async function writeAreas(trx: Transaction<Tables>, unitId: string, areas: readonly Area[], at: string): Promise<{ created: number; updated: number }> {
  if (areas.length === 0) return { created: 0, updated: 0 };
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
  return { created: areas.length - existing.size, updated: existing.size };
}
