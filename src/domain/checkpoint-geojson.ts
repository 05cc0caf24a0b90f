import * as v from 'valibot';
import { CheckpointSchema, DEFAULT_MIN_DWELL_S, type Checkpoint } from './checkpoints.js';
import { readFeatureCollection, type FeatureReader } from './geojson-import.js';
import { describeIssues } from './protocol/api.js';

// Checkpoints as a GeoJSON FeatureCollection, the format GIS tools (QGIS, geojson.io) read and
// write. GeoJSON has no circle, so a circle travels the usual way: a Point with `radiusM`.

/** Properties of one exported checkpoint feature. */
interface CheckpointFeatureProperties {
  id: string;
  zoneId: string;
  name_zh: string;
  name_en: string;
  type: string;
  minDwellS: number;
  radiusM?: number;
}

interface CheckpointFeature {
  type: 'Feature';
  id: string;
  properties: CheckpointFeatureProperties;
  geometry: { type: 'Point'; coordinates: [number, number] } | { type: 'Polygon'; coordinates: Array<Array<[number, number]>> };
}

export interface CheckpointFeatureCollection {
  type: 'FeatureCollection';
  features: CheckpointFeature[];
}

/** Writes checkpoints as a FeatureCollection that `checkpointsFromGeoJson` reads back unchanged. */
export function checkpointsToGeoJson(checkpoints: readonly Checkpoint[]): CheckpointFeatureCollection {
  return {
    type: 'FeatureCollection',
    features: checkpoints.map((c) => {
      const base = { id: c.id, zoneId: c.zoneId, name_zh: c.name['zh-CN'], name_en: c.name.en, type: c.type, minDwellS: c.minDwellS };
      return c.shape.kind === 'circle'
        ? { type: 'Feature', id: c.id, properties: { ...base, radiusM: c.shape.radiusM }, geometry: { type: 'Point', coordinates: c.shape.center } }
        : { type: 'Feature', id: c.id, properties: base, geometry: c.shape.polygon };
    }),
  };
}

/** What an import found: the checkpoints, or one message per bad feature naming it. */
export type GeoJsonImport = { ok: true; checkpoints: Checkpoint[] } | { ok: false; problems: string[] };

const CHECKPOINT_READER: FeatureReader<Checkpoint> = {
  geometries: ['Point', 'Polygon'],
  geometryMessage: 'geometry must be a Point (with radiusM) or a Polygon',
  read({ properties: p, geometry }, id) {
    const shape =
      geometry.type === 'Point'
        ? { kind: 'circle', center: geometry.coordinates, radiusM: p.radiusM }
        : { kind: 'polygon', polygon: { type: 'Polygon', coordinates: geometry.coordinates } };
    const candidate = {
      id,
      zoneId: p.zoneId,
      name: { 'zh-CN': p.name_zh, en: p.name_en ?? p.name_zh },
      type: p.type ?? 'other',
      shape,
      minDwellS: p.minDwellS ?? DEFAULT_MIN_DWELL_S,
    };
    const parsed = v.safeParse(CheckpointSchema, candidate);
    if (parsed.success) return { ok: true, value: parsed.output };
    return {
      ok: false,
      problem: describeIssues(parsed.issues)
        .replace(/^shape\.center/, 'geometry.coordinates')
        .replace(/^shape\.polygon\./, 'geometry.')
        .replace(/^shape\./, 'properties.'),
    };
  },
};

/**
 * Reads a FeatureCollection of checkpoints (see readFeatureCollection: every bad feature is
 * named). A feature without an id gets `newId()`.
 */
export function checkpointsFromGeoJson(input: unknown, newId: () => string): GeoJsonImport {
  const read = readFeatureCollection(input, newId, CHECKPOINT_READER);
  return read.ok ? { ok: true, checkpoints: read.items } : read;
}
