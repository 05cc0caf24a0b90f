import * as v from 'valibot';
import { Lat, LocalNameSchema, Lon, Uuid } from './checkpoints.js';
import { readFeatureCollection, type FeatureImport } from './geojson-import.js';
import { describeIssues } from './protocol/api.js';

// The areas the safety index (平安指数, issue 15) is published for: towns and streets (镇/街道),
// and residential communities (社区) inside them, each with its resident population. They are
// the civil map of the district, not the squads' beats (zones): a beat may cross a street's
// boundary and a street may hold several beats. WGS-84 [lon, lat] like GeoJSON.

/** A town or street (镇/街道), or a residential community (社区) inside one. */
const AREA_LEVELS = ['town', 'community'] as const;

const samePoint = (a: readonly number[], b: readonly number[]) => a[0] === b[0] && a[1] === b[1];

/** A closed ring; real boundaries are detailed, so far more positions than a checkpoint's. */
const RingSchema = v.pipe(
  v.array(v.tuple([Lon, Lat], 'must be [longitude, latitude]'), 'must be a list of positions'),
  v.minLength(4, 'a ring needs at least 4 positions'),
  v.maxLength(50_000, 'a ring may have at most 50,000 positions'),
  v.check((ring) => samePoint(ring[0] ?? [], ring.at(-1) ?? []), 'a ring must end where it starts'),
);
const RingsSchema = v.pipe(
  v.array(RingSchema, 'must be a list of rings'),
  v.minLength(1, 'a polygon needs an outer ring'),
  v.maxLength(100, 'at most 100 rings'),
);

/** A Polygon or MultiPolygon (a town may have islands or exclaves). */
const AreaGeometrySchema = v.variant(
  'type',
  [
    v.strictObject({ type: v.literal('Polygon'), coordinates: RingsSchema }),
    v.strictObject({
      type: v.literal('MultiPolygon'),
      coordinates: v.pipe(v.array(RingsSchema, 'must be a list of polygons'), v.minLength(1, 'needs a polygon'), v.maxLength(500, 'at most 500 polygons')),
    }),
  ],
  'geometry must be a Polygon or a MultiPolygon',
);
export type AreaGeometry = v.InferOutput<typeof AreaGeometrySchema>;

/** An area as the server stores it and the index and its map read it. */
export const AreaSchema = v.pipe(
  v.strictObject({
    id: Uuid,
    level: v.picklist(AREA_LEVELS, `level must be one of ${AREA_LEVELS.join(', ')}`),
    /** The town or street a community lies in; null for a town or street. */
    parentId: v.nullable(Uuid),
    name: LocalNameSchema,
    /** Resident population, what the index's per-10,000 rates divide by. */
    population: v.pipe(
      v.number('must be a number'),
      v.integer('must be a whole number'),
      v.minValue(1, 'must be at least 1'),
      v.maxValue(50_000_000, 'is too large'),
    ),
    geometry: AreaGeometrySchema,
    /** True when boundary or population is an estimate (the demo's), not the official figure. */
    approximate: v.boolean('must be true or false'),
  }),
  v.check((a) => (a.level === 'community') === (a.parentId !== null), 'a community names the town or street it lies in (parent_id); a town or street has none'),
);
export type Area = v.InferOutput<typeof AreaSchema>;

/** The polygons of a geometry, each as its rings: a Polygon is one. */
export function polygonsOf(geometry: AreaGeometry): ReadonlyArray<ReadonlyArray<ReadonlyArray<readonly [number, number]>>> {
  return geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
}

/** Where a schema path of an area is in the file, for the admin fixing it. */
const FILE_PATHS: ReadonlyArray<[RegExp, string]> = [
  [/^name\.zh-CN/, 'properties.name_zh'],
  [/^name\.en/, 'properties.name_en'],
  [/^parentId/, 'properties.parent_id'],
  [/^(level|population|approximate)/, 'properties.$1'],
];

/**
 * Reads a FeatureCollection of areas (properties: level "town" or "community", name_zh, name_en,
 * population, parent_id for a community, approximate); every bad feature is named. A feature
 * without an id gets `newId()`; one that does not say is taken as official (not approximate).
 * Whether a parent exists is for the importer to check: it may be in the file or already stored.
 */
export function areasFromGeoJson(input: unknown, newId: () => string): FeatureImport<Area> {
  return readFeatureCollection(input, newId, {
    geometries: ['Polygon', 'MultiPolygon'],
    geometryMessage: 'geometry must be a Polygon or a MultiPolygon',
    read({ properties: p, geometry }, id) {
      const candidate = {
        id,
        level: p.level,
        parentId: p.parent_id ?? null,
        name: { 'zh-CN': p.name_zh, en: p.name_en ?? p.name_zh },
        population: p.population,
        geometry: { type: geometry.type, coordinates: geometry.coordinates },
        approximate: p.approximate ?? false,
      };
      const parsed = v.safeParse(AreaSchema, candidate);
      if (parsed.success) return { ok: true, value: parsed.output };
      const problem = describeIssues(parsed.issues);
      const rule = FILE_PATHS.find(([pattern]) => pattern.test(problem));
      return { ok: false, problem: rule ? problem.replace(rule[0], rule[1]) : problem };
    },
  });
}

/** Areas as a FeatureCollection that `areasFromGeoJson` reads back unchanged (export, and the index's map). */
export function areasToGeoJson(areas: readonly Area[]) {
  return {
    type: 'FeatureCollection' as const,
    features: areas.map((a) => ({
      type: 'Feature' as const,
      id: a.id,
      properties: {
        id: a.id,
        level: a.level,
        parent_id: a.parentId,
        name_zh: a.name['zh-CN'],
        name_en: a.name.en,
        population: a.population,
        approximate: a.approximate,
      },
      geometry: a.geometry,
    })),
  };
}
