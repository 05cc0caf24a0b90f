import * as v from 'valibot';
import { ControlPointSchema, type ControlPoint } from './control-points.js';
import { readFeatureCollection, type FeatureImport } from './geojson-import.js';
import { describeIssues } from './protocol/api.js';

// Control points as a GeoJSON FeatureCollection of Points, for QGIS or geojson.io: properties
// name_zh, name_en, kind, and approximate (true when the position is not surveyed).

interface ControlPointFeature {
  type: 'Feature';
  id: string;
  properties: { id: string; name_zh: string; name_en: string; kind: string; approximate: boolean };
  geometry: { type: 'Point'; coordinates: [number, number] };
}

export interface ControlPointFeatureCollection {
  type: 'FeatureCollection';
  features: ControlPointFeature[];
}

/** Writes control points as a FeatureCollection that `controlPointsFromGeoJson` reads back unchanged. */
export function controlPointsToGeoJson(points: readonly ControlPoint[]): ControlPointFeatureCollection {
  return {
    type: 'FeatureCollection',
    features: points.map((p) => ({
      type: 'Feature',
      id: p.id,
      properties: { id: p.id, name_zh: p.name['zh-CN'], name_en: p.name.en, kind: p.kind, approximate: p.approximate },
      geometry: { type: 'Point', coordinates: [p.lon, p.lat] },
    })),
  };
}

/** Where a schema path of a control point is in the file, for the admin fixing it. */
const FILE_PATHS: ReadonlyArray<[RegExp, string]> = [
  [/^lon/, 'geometry.coordinates.0'],
  [/^lat/, 'geometry.coordinates.1'],
  [/^name\.zh-CN/, 'properties.name_zh'],
  [/^name\.en/, 'properties.name_en'],
  [/^(kind|approximate)/, 'properties.$1'],
];

/**
 * Reads a FeatureCollection of control points; every bad feature is named with its index and
 * reason. A feature without an id gets `newId()`; one that does not say is taken as surveyed.
 */
export function controlPointsFromGeoJson(input: unknown, newId: () => string): FeatureImport<ControlPoint> {
  return readFeatureCollection(input, newId, {
    geometries: ['Point'],
    geometryMessage: 'geometry must be a Point',
    read({ properties: p, geometry }, id) {
      const coordinates = Array.isArray(geometry.coordinates) ? (geometry.coordinates as unknown[]) : [];
      const candidate = {
        id,
        name: { 'zh-CN': p.name_zh, en: p.name_en ?? p.name_zh },
        kind: p.kind,
        lon: coordinates[0],
        lat: coordinates[1],
        approximate: p.approximate ?? false,
      };
      const parsed = v.safeParse(ControlPointSchema, candidate);
      if (parsed.success) return { ok: true, value: parsed.output };
      const problem = describeIssues(parsed.issues);
      const rule = FILE_PATHS.find(([pattern]) => pattern.test(problem));
      return { ok: false, problem: rule ? problem.replace(rule[0], rule[1]) : problem };
    },
  });
}
