import * as v from 'valibot';
import { CheckpointSchema, DEFAULT_MIN_DWELL_S, type Checkpoint } from './checkpoints.js';
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

/** Most features one import may hold. */
const MAX_IMPORT_FEATURES = 10_000;

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

const FeatureSchema = v.object({
  type: v.literal('Feature', 'type must be "Feature"'),
  properties: v.record(v.string(), v.unknown(), 'properties must be an object'),
  geometry: v.object(
    { type: v.picklist(['Point', 'Polygon'], 'geometry must be a Point (with radiusM) or a Polygon'), coordinates: v.unknown() },
    'geometry is required',
  ),
});

/** What an import found: the checkpoints, or one message per bad feature naming it. */
export type GeoJsonImport = { ok: true; checkpoints: Checkpoint[] } | { ok: false; problems: string[] };

/**
 * Reads a FeatureCollection of checkpoints. Every feature is checked and every bad one is named
 * (index, and id or name when it has them), so an admin can fix the file in one pass. A feature
 * without an id gets `newId()`.
 */
export function checkpointsFromGeoJson(input: unknown, newId: () => string): GeoJsonImport {
  if (typeof input !== 'object' || input === null || (input as { type?: unknown }).type !== 'FeatureCollection') {
    return { ok: false, problems: ['the file must be a GeoJSON FeatureCollection'] };
  }
  const features = (input as { features?: unknown }).features;
  if (!Array.isArray(features)) return { ok: false, problems: ['features must be a list'] };
  if (features.length === 0) return { ok: false, problems: ['the collection has no features'] };
  if (features.length > MAX_IMPORT_FEATURES) return { ok: false, problems: [`at most ${MAX_IMPORT_FEATURES} features per import, got ${features.length}`] };

  const problems: string[] = [];
  const checkpoints: Checkpoint[] = [];
  const seen = new Set<string>();
  features.forEach((raw: unknown, index) => {
    const label = featureLabel(raw, index);
    const feature = v.safeParse(FeatureSchema, raw);
    if (!feature.success) {
      problems.push(`${label}: ${describeIssues(feature.issues)}`);
      return;
    }
    const { properties: p, geometry } = feature.output;
    const featureId = (raw as { id?: unknown }).id;
    const id = typeof p.id === 'string' ? p.id : typeof featureId === 'string' ? featureId : newId();
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
    if (!parsed.success) {
      problems.push(
        `${label}: ${describeIssues(parsed.issues)
          .replace(/^shape\.center/, 'geometry.coordinates')
          .replace(/^shape\.polygon\./, 'geometry.')
          .replace(/^shape\./, 'properties.')}`,
      );
      return;
    }
    if (seen.has(id)) {
      problems.push(`${label}: id ${id} appears twice in the file`);
      return;
    }
    seen.add(id);
    checkpoints.push(parsed.output);
  });
  return problems.length ? { ok: false, problems } : { ok: true, checkpoints };
}

/** "feature 3 (“Bank of China”)": how an error names the feature it is about. */
function featureLabel(raw: unknown, index: number): string {
  const props = typeof raw === 'object' && raw !== null ? (raw as { properties?: unknown }).properties : undefined;
  const p = typeof props === 'object' && props !== null ? (props as Record<string, unknown>) : {};
  const name = typeof p.name_zh === 'string' ? p.name_zh : typeof p.name_en === 'string' ? p.name_en : typeof p.id === 'string' ? p.id : null;
  return name ? `feature ${index} (“${name}”)` : `feature ${index}`;
}
