import type * as GeoJSON from 'geojson';
import { mesh } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import * as v from 'valibot';
import type { Bounds } from '../domain/tiles.js';

// Coastlines and borders for a map with no base map, from Natural Earth's 1:50m countries
// (world-atlas). Building the lines takes some 70 ms on a desktop, several times that on a
// phone: a long task if done on the main thread, so it is done here.

/** Lines within this many degrees of the area are kept (enough to zoom out to the province). */
const PAD_DEG = 6;

// Loose: the quantization `transform` and `bbox` must come through untouched (a plain object would drop them).
const TopologyShape = v.looseObject({
  type: v.literal('Topology'),
  arcs: v.array(v.array(v.array(v.number()))),
  objects: v.looseObject({ countries: v.looseObject({ type: v.literal('GeometryCollection'), geometries: v.array(v.unknown()) }) }),
});

/** The stretches of lines that come within the box, each with a vertex beyond it so it reaches the edge. */
function clip(lines: GeoJSON.Position[][], [west, south, east, north]: Bounds): GeoJSON.Position[][] {
  const inside = ([lon = NaN, lat = NaN]: GeoJSON.Position) => lon >= west && lon <= east && lat >= south && lat <= north;
  const out: GeoJSON.Position[][] = [];
  for (const line of lines) {
    let run: GeoJSON.Position[] = [];
    line.forEach((p, i) => {
      if (inside(p) || (line[i + 1] && inside(line[i + 1]!)) || (i > 0 && inside(line[i - 1]!))) run.push(p);
      else if (run.length) {
        out.push(run);
        run = [];
      }
    });
    if (run.length > 1) out.push(run);
  }
  return out.filter((l) => l.length > 1);
}

export const outlineService = {
  /** Coastlines (edges of one country only) and land borders (edges shared by two) around an area. */
  async outlines(topologyUrl: string, area: Bounds): Promise<{ coast: GeoJSON.MultiLineString; borders: GeoJSON.MultiLineString }> {
    const response = await fetch(topologyUrl);
    if (!response.ok) throw new Error(`outline data ${topologyUrl}: HTTP ${response.status}`);
    const parsed = v.safeParse(TopologyShape, await response.json());
    if (!parsed.success) throw new Error(`outline data ${topologyUrl} is not the world-atlas countries topology`);
    // The shape was checked above; the rest (transform, arc indexes) is topojson-client's to read.
    const topology = parsed.output as unknown as Topology<{ countries: GeometryCollection }>;
    const countries = topology.objects.countries;
    const box: Bounds = [area[0] - PAD_DEG, area[1] - PAD_DEG, area[2] + PAD_DEG, area[3] + PAD_DEG];
    return {
      coast: { type: 'MultiLineString', coordinates: clip(mesh(topology, countries, (a, b) => a === b).coordinates, box) },
      borders: { type: 'MultiLineString', coordinates: clip(mesh(topology, countries, (a, b) => a !== b).coordinates, box) },
    };
  },
};
