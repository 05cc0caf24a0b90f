import * as v from 'valibot';
import { describeIssues } from './protocol/api.js';

// Reading a GeoJSON FeatureCollection of things an admin imports (checkpoints, control points):
// the envelope, the per-feature checks and the naming of bad features are the same for each;
// only how a feature becomes a thing differs.

/** Most features one import may hold. */
const MAX_IMPORT_FEATURES = 10_000;

/** A feature whose envelope is well formed, handed to the reader of one kind of thing. */
interface WellFormedFeature {
  properties: Record<string, unknown>;
  geometry: { type: string; coordinates: unknown };
}

/** How one kind of thing is read from features. */
export interface FeatureReader<T> {
  /** The geometry types a feature may have, and what to say when it has another. */
  geometries: readonly [string, ...string[]];
  geometryMessage: string;
  /** The thing a feature describes (with `id` already chosen), or what is wrong with it. */
  read(feature: WellFormedFeature, id: string): { ok: true; value: T } | { ok: false; problem: string };
}

/** What an import found: every thing, or one message per bad feature naming it. */
export type FeatureImport<T> = { ok: true; items: T[] } | { ok: false; problems: string[] };

/**
 * Reads a FeatureCollection. Every feature is checked and every bad one is named (index, and
 * name or id when it has them), so an admin can fix the file in one pass. A feature without an
 * id (in `properties.id` or the feature's own `id`) gets `newId()`; an id twice is an error.
 */
export function readFeatureCollection<T>(input: unknown, newId: () => string, reader: FeatureReader<T>): FeatureImport<T> {
  if (typeof input !== 'object' || input === null || (input as { type?: unknown }).type !== 'FeatureCollection') {
    return { ok: false, problems: ['the file must be a GeoJSON FeatureCollection'] };
  }
  const features = (input as { features?: unknown }).features;
  if (!Array.isArray(features)) return { ok: false, problems: ['features must be a list'] };
  if (features.length === 0) return { ok: false, problems: ['the collection has no features'] };
  if (features.length > MAX_IMPORT_FEATURES) return { ok: false, problems: [`at most ${MAX_IMPORT_FEATURES} features per import, got ${features.length}`] };

  const featureSchema = v.object({
    type: v.literal('Feature', 'type must be "Feature"'),
    properties: v.record(v.string(), v.unknown(), 'properties must be an object'),
    geometry: v.object(
      { type: v.picklist(reader.geometries, reader.geometryMessage), coordinates: v.array(v.unknown(), 'must be a list of coordinates') },
      'is required',
    ),
  });
  const problems: string[] = [];
  const items: T[] = [];
  const seen = new Set<string>();
  features.forEach((raw: unknown, index) => {
    const label = featureLabel(raw, index);
    const feature = v.safeParse(featureSchema, raw);
    if (!feature.success) {
      problems.push(`${label}: ${describeIssues(feature.issues)}`);
      return;
    }
    const p = feature.output.properties;
    const featureId = (raw as { id?: unknown }).id;
    const id = typeof p.id === 'string' ? p.id : typeof featureId === 'string' ? featureId : newId();
    const read = reader.read(feature.output, id);
    if (!read.ok) {
      problems.push(`${label}: ${read.problem}`);
      return;
    }
    if (seen.has(id)) {
      problems.push(`${label}: id ${id} appears twice in the file`);
      return;
    }
    seen.add(id);
    items.push(read.value);
  });
  return problems.length ? { ok: false, problems } : { ok: true, items };
}

/** "feature 3 (“Bank of China”)": how an error names the feature it is about. */
function featureLabel(raw: unknown, index: number): string {
  const props = typeof raw === 'object' && raw !== null ? (raw as { properties?: unknown }).properties : undefined;
  const p = typeof props === 'object' && props !== null ? (props as Record<string, unknown>) : {};
  const name = typeof p.name_zh === 'string' ? p.name_zh : typeof p.name_en === 'string' ? p.name_en : typeof p.id === 'string' ? p.id : null;
  return name ? `feature ${index} (“${name}”)` : `feature ${index}`;
}
