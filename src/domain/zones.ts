import * as v from 'valibot';
import { LocalNameSchema, PolygonSchema, PopulationSchema, Uuid } from './checkpoints.js';
import { readFeatureCollection, type FeatureImport } from './geojson-import.js';
import { describeIssues } from './protocol/api.js';
import { containsNul } from './text.js';

// Patrol zones as the admin edits them (issue 16): drawn on the map or imported from GeoJSON,
// with the population that lives in them. The same schema checks the admin's form, the server's
// routes and every feature of an import. WGS-84 [lon, lat] like GeoJSON.

type Position = readonly number[];

const samePoint = (a: Position, b: Position) => a[0] === b[0] && a[1] === b[1];

/** Twice the signed area of the triangle o, a, b (planar lon/lat: a sign, not a measure). */
const cross = (o: Position, a: Position, b: Position) =>
  ((a[0] ?? 0) - (o[0] ?? 0)) * ((b[1] ?? 0) - (o[1] ?? 0)) - ((a[1] ?? 0) - (o[1] ?? 0)) * ((b[0] ?? 0) - (o[0] ?? 0));

/** q lies within the box of segment p–r (used once p, q, r are known to be collinear). */
const within = (p: Position, q: Position, r: Position) =>
  Math.min(p[0] ?? 0, r[0] ?? 0) <= (q[0] ?? 0) &&
  (q[0] ?? 0) <= Math.max(p[0] ?? 0, r[0] ?? 0) &&
  Math.min(p[1] ?? 0, r[1] ?? 0) <= (q[1] ?? 0) &&
  (q[1] ?? 0) <= Math.max(p[1] ?? 0, r[1] ?? 0);

/** Segments a–b and c–d share a point (crossing, touching, or overlapping). */
function segmentsMeet(a: Position, b: Position, c: Position, d: Position): boolean {
  const d1 = Math.sign(cross(c, d, a));
  const d2 = Math.sign(cross(c, d, b));
  const d3 = Math.sign(cross(a, b, c));
  const d4 = Math.sign(cross(a, b, d));
  if (d1 * d2 < 0 && d3 * d4 < 0) return true;
  return (d1 === 0 && within(c, a, d)) || (d2 === 0 && within(c, b, d)) || (d3 === 0 && within(a, c, b)) || (d4 === 0 && within(a, d, b));
}

/**
 * What is wrong with a closed ring as the outline of an area, or null: fewer than 3 distinct
 * positions, no area (all in a line), or an edge that crosses or touches another (a bow tie, a
 * loop). Repeated consecutive positions (a double tap) are not faults. Every pair of edges is
 * tried: a ring holds at most 2000 positions, a few million cheap tests at worst.
 */
export function ringProblem(ring: readonly Position[]): string | null {
  const points = ring.filter((p, i) => i === 0 || !samePoint(p, ring[i - 1] ?? []));
  if (new Set(points.map((p) => `${p[0]},${p[1]}`)).size < 3) return 'needs at least 3 distinct positions';
  const edges = points.length - 1;
  for (let i = 0; i < edges; i++) {
    for (let j = i + 2; j < edges; j++) {
      if (i === 0 && j === edges - 1) continue; // the first and last edges meet where the ring closes
      if (segmentsMeet(points[i] ?? [], points[i + 1] ?? [], points[j] ?? [], points[j + 1] ?? [])) return `crosses itself (edges ${i + 1} and ${j + 1})`;
    }
  }
  let area = 0;
  for (let i = 1; i < points.length; i++) area += cross(points[0] ?? [], points[i - 1] ?? [], points[i] ?? []);
  if (area === 0) return 'has no area (its positions are in a line)';
  return null;
}

/** A zone's polygon: closed rings within WGS-84 (PolygonSchema), each a simple outline with an area. */
const ZonePolygonSchema = v.pipe(
  PolygonSchema,
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    dataset.value.coordinates.forEach((ring, i) => {
      const problem = ringProblem(ring);
      if (problem) addIssue({ message: `ring ${i} ${problem}` });
    });
  }),
);

/** A zone's names: both languages, no NUL (PostgreSQL text cannot hold it). */
const ZoneNameSchema = v.pipe(
  LocalNameSchema,
  v.check((name) => !containsNul(name), 'must not contain the NUL character (U+0000)'),
);

/** A zone as the admin creates, edits, imports and exports it; population null (or left out) while unknown. */
export const ZoneEditSchema = v.strictObject({
  id: Uuid,
  squadId: Uuid,
  name: ZoneNameSchema,
  polygon: ZonePolygonSchema,
  population: v.optional(v.nullable(PopulationSchema), null),
});
export type ZoneEdit = v.InferOutput<typeof ZoneEditSchema>;

/** A squad as an import names it: by its code (as the roster does) or its id. */
interface SquadRef {
  id: string;
  code: string;
}

/** Where a schema path of a zone is in the file, for the admin fixing it. */
const FILE_PATHS: ReadonlyArray<[RegExp, string]> = [
  [/^name\.zh-CN/, 'properties.name_zh'],
  [/^name\.en/, 'properties.name_en'],
  [/^name/, 'properties.name_zh'],
  [/^population/, 'properties.population'],
  [/^squadId/, 'properties.squadId'],
  [/^polygon/, 'geometry'],
];

/**
 * Reads a FeatureCollection of zones (Polygon features; properties: squad code or squadId,
 * name_zh, name_en, population, optional id). Every bad feature is named, a squad that is not
 * one of `squads` (the importing admin's unit) included. A feature without an id gets `newId()`.
 */
export function zonesFromGeoJson(input: unknown, newId: () => string, squads: readonly SquadRef[]): FeatureImport<ZoneEdit> {
  const byCode = new Map(squads.map((s) => [s.code.toUpperCase(), s.id]));
  const ids = new Set(squads.map((s) => s.id));
  return readFeatureCollection(input, newId, {
    geometries: ['Polygon'],
    geometryMessage: 'geometry must be a Polygon',
    read({ properties: p, geometry }, id) {
      let squadId: string;
      if (typeof p.squadId === 'string') {
        if (!ids.has(p.squadId)) return { ok: false, problem: `properties.squadId: ${p.squadId} is not a squad of your unit` };
        squadId = p.squadId;
      } else if (typeof p.squad === 'string') {
        const found = byCode.get(p.squad.trim().toUpperCase());
        if (!found) return { ok: false, problem: `properties.squad: no squad “${p.squad}” in your unit` };
        squadId = found;
      } else return { ok: false, problem: 'properties.squad: give the squad’s code (or its squadId)' };
      const candidate = {
        id,
        squadId,
        name: { 'zh-CN': p.name_zh, en: p.name_en ?? p.name_zh },
        polygon: { type: 'Polygon', coordinates: geometry.coordinates },
        population: p.population ?? null,
      };
      const parsed = v.safeParse(ZoneEditSchema, candidate);
      if (parsed.success) return { ok: true, value: parsed.output };
      const problem = describeIssues(parsed.issues);
      const rule = FILE_PATHS.find(([pattern]) => pattern.test(problem));
      return { ok: false, problem: rule ? problem.replace(rule[0], rule[1]) : problem };
    },
  });
}

/** Zones as a FeatureCollection that `zonesFromGeoJson` reads back unchanged (the squad by code and id both). */
export function zonesToGeoJson(zones: readonly ZoneEdit[], squads: readonly SquadRef[]) {
  const codes = new Map(squads.map((s) => [s.id, s.code]));
  return {
    type: 'FeatureCollection' as const,
    features: zones.map((z) => ({
      type: 'Feature' as const,
      id: z.id,
      properties: {
        id: z.id,
        squad: codes.get(z.squadId) ?? null,
        squadId: z.squadId,
        name_zh: z.name['zh-CN'],
        name_en: z.name.en,
        population: z.population,
      },
      geometry: z.polygon,
    })),
  };
}
