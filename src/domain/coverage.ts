// Beat coverage on H3 cells (issue 13): which cells a shift's route passed, and when. Pure: the
// server derives its coverage table with it at ingest, and tests recompute coverage by brute
// force with the same rules.
import { cellArea, cellToBoundary, gridDisk, gridPathCells, latLngToCell, polygonToCells } from 'h3-js';
import { isTrackGap } from './patrol-session.js';

/** The H3 resolution when the server config sets none: cells about 66 m across the edge, ~15,000 m². */
export const DEFAULT_COVERAGE_RESOLUTION = 10;

/**
 * Passes are kept per shift, per cell and per bucket of this many ms (first and last pass in
 * each), so a window of time is answered from the table: windows are taken in whole buckets.
 */
export const COVERAGE_BUCKET_MS = 10 * 60_000;

/** A fix of one shift, as coverage needs it (fix time in epoch ms). */
export interface CoverageFix {
  lat: number;
  lon: number;
  fixAt: number;
}

/** A cell the route was in, and when. */
export interface CellPass {
  cell: string;
  at: number;
}

/** The first and last pass through one cell within one bucket. */
export interface CellSpan {
  first: number;
  last: number;
}

/** The start (epoch ms) of the bucket `at` falls in. */
export function bucketOf(at: number): number {
  return Math.floor(at / COVERAGE_BUCKET_MS) * COVERAGE_BUCKET_MS;
}

/**
 * The cells one shift's route passed: each fix's own cell at its fix time and, between two
 * consecutive fixes that no gap separates (isTrackGap), the cells of the H3 grid path between
 * theirs at times spread evenly between the two fixes, so a vehicle does not skip a cell.
 * `fixes` must be in fix-time order; `pausesAt` are the times of the shift's pauses and stops.
 */
export function routePasses(fixes: readonly CoverageFix[], pausesAt: readonly number[], resolution: number): CellPass[] {
  const passes: CellPass[] = [];
  let previous: { fix: CoverageFix; cell: string } | null = null;
  for (const fix of fixes) {
    const cell = latLngToCell(fix.lat, fix.lon, resolution);
    if (previous && previous.cell !== cell && !isTrackGap(previous.fix.fixAt, fix.fixAt, pausesAt)) {
      const path = gridPath(previous.cell, cell);
      const span = fix.fixAt - previous.fix.fixAt;
      for (let i = 1; i < path.length - 1; i++) passes.push({ cell: path[i]!, at: previous.fix.fixAt + Math.round((span * i) / (path.length - 1)) });
    }
    passes.push({ cell, at: fix.fixAt });
    previous = { fix, cell };
  }
  return passes;
}

/** The grid path between two cells, ends included; just the ends where H3 has none (across a pentagon). */
function gridPath(from: string, to: string): string[] {
  try {
    return gridPathCells(from, to);
  } catch {
    // H3 cannot draw a line across a pentagon's distortion (H3 docs, gridPathCells): no cell
    // between is claimed rather than a wrong one. None of the 12 pentagons is on land.
    return [from, to];
  }
}

/** Passes grouped by bucket start, then by cell: the first and last pass of each. */
export function bucketSpans(passes: Iterable<CellPass>): Map<number, Map<string, CellSpan>> {
  const buckets = new Map<number, Map<string, CellSpan>>();
  for (const { cell, at } of passes) {
    const start = bucketOf(at);
    let cells = buckets.get(start);
    if (!cells) buckets.set(start, (cells = new Map()));
    const span = cells.get(cell);
    if (!span) cells.set(cell, { first: at, last: at });
    else {
      if (at < span.first) span.first = at;
      if (at > span.last) span.last = at;
    }
  }
  return buckets;
}

/** The cell a point is in at a resolution. */
export function cellOf(lat: number, lon: number, resolution: number): string {
  return latLngToCell(lat, lon, resolution);
}

/** Cells that touch each other (share an edge) joined into groups; each group with its area in m². */
export function contiguousAreas(cells: Iterable<string>): Array<{ cells: string[]; areaM2: number }> {
  const left = new Set(cells);
  const areas: Array<{ cells: string[]; areaM2: number }> = [];
  for (const seed of left) {
    left.delete(seed);
    const group = [seed];
    for (let i = 0; i < group.length; i++)
      for (const neighbour of gridDisk(group[i]!, 1))
        if (left.has(neighbour)) {
          left.delete(neighbour);
          group.push(neighbour);
        }
    areas.push({ cells: group, areaM2: group.reduce((sum, cell) => sum + cellArea(cell, 'm2'), 0) });
  }
  return areas.sort((a, b) => b.areaM2 - a.areaM2);
}

/** The cells whose centres lie inside a GeoJSON polygon (holes cut out): a zone's cells. */
export function polygonCells(polygon: { coordinates: number[][][] }, resolution: number): string[] {
  return polygonToCells(polygon.coordinates, resolution, true);
}

/** A cell's outline as a closed GeoJSON ring of [lon, lat]. */
export function cellRing(cell: string): Array<[number, number]> {
  return cellToBoundary(cell, true) as Array<[number, number]>;
}
