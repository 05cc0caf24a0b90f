import type { Kysely, Selectable } from 'kysely';
import * as v from 'valibot';
import {
  BoundarySchema,
  type Boundary,
  type Checkpoint,
  type CheckpointShape,
  type CheckpointType,
  type Plan,
  type PlanRule,
} from '../../domain/checkpoints.js';
import type { ControlPoint, ControlPointKind } from '../../domain/control-points.js';
import type { ZoneEdit } from '../../domain/zones.js';
import type { CheckpointTable, ControlPointTable, PlanTable, Tables, ZoneTable } from '../db/schema.js';

// Rows to domain objects and back: the one place that knows how checkpoints and plans are stored.

/** A stored checkpoint as the domain (pull, geofence, import/export) sees it. */
export function checkpointFromRow(row: Selectable<CheckpointTable>): Checkpoint {
  return {
    id: row.id,
    zoneId: row.zone_id,
    name: { 'zh-CN': row.name_zh, en: row.name_en },
    type: row.type as CheckpointType,
    shape: JSON.parse(row.shape) as CheckpointShape,
    minDwellS: row.min_dwell_s,
  };
}

/** The columns a checkpoint is written with (version and timestamps are the caller's). */
export function checkpointColumns(c: Checkpoint) {
  return {
    zone_id: c.zoneId,
    name_zh: c.name['zh-CN'],
    name_en: c.name.en,
    type: c.type,
    shape: JSON.stringify(c.shape),
    min_dwell_s: c.minDwellS,
    deleted: 0,
  };
}

/** A stored zone as the admin's editors, its export and pull see it. */
export function zoneFromRow(row: Pick<Selectable<ZoneTable>, 'id' | 'squad_id' | 'name_zh' | 'name_en' | 'geometry' | 'population'>): ZoneEdit {
  return {
    id: row.id,
    squadId: row.squad_id,
    name: { 'zh-CN': row.name_zh, en: row.name_en },
    polygon: JSON.parse(row.geometry) as ZoneEdit['polygon'],
    population: row.population === null ? null : Number(row.population),
  };
}

/** The columns a zone is written with (version and timestamps are the caller's). */
export function zoneColumns(z: ZoneEdit) {
  return {
    squad_id: z.squadId,
    name_zh: z.name['zh-CN'],
    name_en: z.name.en,
    geometry: JSON.stringify(z.polygon),
    population: z.population,
    deleted: 0,
  };
}

/** A stored control point as the domain (pull, lockdown, import/export) sees it. */
export function controlPointFromRow(row: Selectable<ControlPointTable>): ControlPoint {
  return {
    id: row.id,
    name: { 'zh-CN': row.name_zh, en: row.name_en },
    kind: row.kind as ControlPointKind,
    lon: row.lon,
    lat: row.lat,
    approximate: Boolean(row.approximate),
  };
}

/** The columns a control point is written with (unit, version and timestamps are the caller's). */
export function controlPointColumns(p: ControlPoint) {
  return {
    name_zh: p.name['zh-CN'],
    name_en: p.name.en,
    kind: p.kind,
    lon: p.lon,
    lat: p.lat,
    approximate: p.approximate ? 1 : 0,
    deleted: 0,
  };
}

/** A stored plan as the domain sees it. */
export function planFromRow(row: Selectable<PlanTable>): Plan {
  return {
    id: row.id,
    squadId: row.squad_id,
    name: { 'zh-CN': row.name_zh, en: row.name_en },
    checkpointIds: JSON.parse(row.checkpoint_ids) as string[],
    rule: JSON.parse(row.rule) as PlanRule,
  };
}

/** The columns a plan is written with. */
export function planColumns(p: Plan) {
  return {
    squad_id: p.squadId,
    name_zh: p.name['zh-CN'],
    name_en: p.name.en,
    checkpoint_ids: JSON.stringify(p.checkpointIds),
    rule: JSON.stringify(p.rule),
    deleted: 0,
  };
}

/** A unit's boundaries (its district, towns, streets), checked as they are read: none for a unit that has none. */
export async function unitBoundaries(db: Kysely<Tables>, unitId: string): Promise<Boundary[]> {
  const row = await db.selectFrom('units').select('boundaries').where('id', '=', unitId).executeTakeFirst();
  return row ? v.parse(v.array(BoundarySchema), JSON.parse(row.boundaries)) : [];
}
